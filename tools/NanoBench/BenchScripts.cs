using System;
using ChargeManager.Distribution;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Protocol;

namespace ChargeManager.NanoBench
{
    /// <summary>Bytes of managed heap in use after a collection (nanoCLR: minus the free bytes GC.Run(false) reports; only differences count).</summary>
    public delegate long HeapProbe();

    /// <summary>Bytes allocated so far by this thread, or -1 where the runtime cannot say (nanoCLR).</summary>
    public delegate long AllocationProbe();

    /// <summary>
    /// Memory and speed of the core as the device runs it: ChargeManagerApp with 1, 10 and 64 chargers
    /// (heap held after construction and after 1,000 ticks of 50 ms with every charger answering),
    /// and at 8 and 64 chargers the time of a tick without an allocator run, a tick with one, and one
    /// allocator run. The same source runs on nanoCLR and on .NET (tools/NanoBench/run.sh); it prints
    /// integers only: "mem N constructed=B ticked=B perTick=B", "mem-part N distributor=B tables=B config=B",
    /// "speed N tick=ns tickRun=ns run=ns", "speed-part N distributorTick=ns".
    /// </summary>
    public static class BenchScripts
    {
        public static void Run(HeapProbe heap, AllocationProbe allocated, string runtime)
        {
            Console.WriteLine("bench " + runtime);
            Memory(heap, allocated, 1);   // the first app also pays for the statics and type loads; measured again below
            Memory(heap, allocated, 1);
            Memory(heap, allocated, 10);
            Memory(heap, allocated, 64);
            Parts(heap, 1);
            Parts(heap, 10);
            Parts(heap, 64);
            Speed(8);                     // once to warm up (.NET's JIT tiers), then measured
            Speed(64);
            Speed(8);
            Speed(64);
            Console.WriteLine("bench done");
        }

        /// <summary>No files, no network: the app alone (also used by the probes run with probe.sh).</summary>
        public sealed class Nothing : IFileStore, IDatagramSender, IHostResolver
        {
            public byte[] Read(string name) { return null; }
            public void Write(string name, byte[] data, int length) { }
            public bool Exists(string name) { return false; }
            public void Delete(string name) { }
            public void Move(string from, string to) { }
            public void Send(byte[] buffer, int length, uint ipv4, int port) { }
            public void Resolve(int charger, string host, HostKind kind) { }
        }

        public static ChargeManagerApp NewApp(int n)
        {
            var nothing = new Nothing();
            return new ChargeManagerApp(nothing, nothing, nothing, NewConfig(n), 0);
        }

        public static ManagerConfig NewConfig(int n)
        {
            var c = new ManagerConfig();
            c.EnableChargeManager = true;
            c.DefaultAvailableCurrent = 16000 * n;
            c.MaximumAvailableCurrent = 32000 * n;
            string[] hosts = new string[n], names = new string[n];
            for (int i = 0; i < n; i++)
            {
                hosts[i] = "10.0." + (i / 200).ToString() + "." + (i % 200 + 2).ToString();
                names[i] = "warp2-" + i.ToString();
            }
            c.Hosts = hosts;
            c.Names = names;
            return c;
        }

        static readonly StatePacket packet = new StatePacket();
        static readonly byte[] buffer = new byte[StatePacket.NewestLength];

        static AllocationProbe receiveProbe;
        static long receiveAllocated;

        /// <summary>With it, the chargers' states describe metered cars that take 4..22 A (so requests differ), some 1-phase cars on 3-phase chargers.</summary>
        public static bool Varied;

        /// <summary>Every charger sends its state: charging, echoing its command (only the manager's receive is counted).</summary>
        public static void States(ChargeManagerApp app, long now)
        {
            int n = app.Group.Count;
            for (int i = 0; i < n; i++)
            {
                packet.Version = 5;
                packet.Seq = (ushort)(now / 50);
                packet.EvseUptime = (uint)(now / 10);
                packet.ChargerState = i % 5 == 4 ? 0 : 3;
                packet.Iec61851State = 2;
                packet.SupportedCurrent = 32000;
                packet.AllowedChargingCurrent = app.Group.CommandedCurrent(i);
                packet.StateFlags = StatePacket.StateFlagManaged;
                packet.LineCurrent1 = packet.LineCurrent2 = packet.LineCurrent3 = float.NaN;
                packet.Phases = 3;
                packet.TimeSinceStateChangeMs = now;
                if (Varied)
                {
                    float amps = 4 + (i * 7) % 19;
                    packet.LineCurrent1 = amps;
                    packet.LineCurrent2 = i % 3 == 0 ? 0 : amps;
                    packet.LineCurrent3 = i % 3 == 0 ? 0 : amps;
                    packet.TimeSinceStateChangeMs = 600000 + now;
                }
                int length = packet.Encode(buffer, 5); // the simulated charger's side: BitConverter allocates here
                long a0 = receiveProbe == null ? 0 : receiveProbe();
                app.Receive(buffer, length, (uint)(0x0A000000 + ((i / 200) << 8) + i % 200 + 2), GroupLink.ChargerPort, now);
                if (receiveProbe != null)
                    receiveAllocated += receiveProbe() - a0;
            }
        }

        static void Memory(HeapProbe heap, AllocationProbe allocated, int n)
        {
            long before = heap();
            ChargeManagerApp app = NewApp(n);
            long constructed = heap() - before;
            long now = 0;
            for (int t = 0; t < 1000; t++)
            {
                now += 50;
                if (t % 20 == 0)
                    States(app, now);
                app.Tick(now, -1);
            }
            long ticked = heap() - before;
            // Allocation per tick and per received state, after warm-up (where the runtime can count it).
            long inTicks = 0;
            receiveProbe = allocated;
            receiveAllocated = 0;
            for (int t = 0; t < 1000; t++)
            {
                now += 50;
                if (t % 20 == 0)
                    States(app, now);
                long a1 = allocated();
                app.Tick(now, -1);
                inTicks += allocated() - a1;
            }
            receiveProbe = null;
            long inStates = receiveAllocated;
            bool counted = allocated() >= 0;
            Console.WriteLine("mem " + n.ToString() + " constructed=" + constructed.ToString() + " ticked=" + ticked.ToString()
                + " perTick=" + (counted ? (inTicks / 1000).ToString() : "n/a")
                + " perState=" + (counted ? (inStates / (50 * n)).ToString() : "n/a"));
        }

        static object kept;

        /// <summary>
        /// Where the group's heap goes: a Distributor alone (observations, the allocator with its
        /// per-charger table and scratch, the guard, the scheduler, the views), and of that the two
        /// per-charger tables; and a ManagerConfig with N hosts and names. "mem-part N distributor=B tables=B config=B".
        /// </summary>
        static void Parts(HeapProbe heap, int n)
        {
            var config = new AllocatorConfig();
            long before = heap();
            kept = new Distributor(config, n);
            long distributor = heap() - before;
            kept = null;
            before = heap();
            kept = new object[] { new ObservationTable(n), new AllocationTable(n) };
            long tables = heap() - before;
            kept = null;
            before = heap();
            kept = NewConfig(n); // the configured hosts and names ("10.0.0.2", "warp2-0"), held once (a TextList each)
            long configured = heap() - before;
            kept = null;
            Console.WriteLine("mem-part " + n.ToString() + " distributor=" + distributor.ToString() + " tables=" + tables.ToString()
                + " config=" + configured.ToString());
        }

        static long Ticks() { return DateTime.UtcNow.Ticks; }

        static void Speed(int n)
        {
            ChargeManagerApp app = NewApp(n);
            long now = 0;
            for (int t = 0; t < 200; t++) // warm up: every charger heard, start-up over
            {
                now += 50;
                if (t % 20 == 0)
                    States(app, now);
                app.Tick(now, -1);
            }
            // Each figure is the best of its blocks (the machine is shared; the best block is the least disturbed).
            long tickTime = long.MaxValue, runTime = long.MaxValue;
            for (int block = 0; block < 10; block++)
            {
                States(app, now);
                app.Group.Scheduler.RequestNow();
                now += 50;
                long t0 = Ticks();
                app.Tick(now, -1);            // a tick with an allocator run
                long t1 = Ticks();
                if (t1 - t0 < runTime)
                    runTime = t1 - t0;
                t0 = Ticks();
                for (int t = 0; t < 99; t++)  // 5 s of ticks: no run is due (interval 10 s)
                {
                    now += 50;
                    app.Tick(now, -1);
                }
                t1 = Ticks();
                if ((t1 - t0) * 100 / 99 < tickTime)
                    tickTime = (t1 - t0) * 100 / 99; // in ns
            }
            // Of a tick without a run, the Distributor's part (observations, reservations, the guard's
            // rollout); the rest is the link and the app. The same instant again and again: no run falls due.
            long groupTime = long.MaxValue;
            for (int block = 0; block < 10; block++)
            {
                long t0 = Ticks();
                for (int t = 0; t < 100; t++)
                    app.Group.Tick(now, -1);
                long t1 = Ticks();
                if (t1 - t0 < groupTime)
                    groupTime = t1 - t0; // 100 ticks in 100 ns units: ns per tick
            }
            Allocator allocator = app.Group.Allocator;
            // The best single run: on this shared machine a block of runs is often preempted (one 64-charger
            // run is about a millisecond on nanoCLR, a scheduler's time slice a few), a single run less often.
            int allocatorRuns = n <= 8 ? 500 : 100;
            long allocatorTime = long.MaxValue;
            for (int k = 0; k < allocatorRuns; k++)
            {
                long a0 = Ticks();
                allocator.Run(16000 * n, 16000 * n, 16000 * n, now, -1);
                long a1 = Ticks();
                if ((a1 - a0) * 100 < allocatorTime)
                    allocatorTime = (a1 - a0) * 100; // in ns
            }
            // DateTime ticks are 100 ns.
            Console.WriteLine("speed " + n.ToString() + " tick=" + tickTime.ToString() + "ns tickRun="
                + (runTime * 100).ToString() + "ns run=" + allocatorTime.ToString() + "ns");
            Console.WriteLine("speed-part " + n.ToString() + " distributorTick=" + groupTime.ToString() + "ns");
        }
    }
}
