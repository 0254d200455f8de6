using ChargeManager.Distribution.Util;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Protocol;
using Xunit;

namespace ChargeManager.Distribution.Tests.Link;

public class GroupLinkTests
{
    static bool IsIgnore(byte[] command) => (command[10] & CommandPacket.FlagIgnoreAllocation) != 0;
    static int Current(byte[] command) => command[8] | command[9] << 8;

    [Fact]
    public void StartUp_IgnoreAllocationUntilEveryChargerAnswered_ThenRealCommands()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Run(1000);
        Assert.All(bench.Sent, s =>
        {
            Assert.True(IsIgnore(s.bytes));
            Assert.Equal(CommandPacket.IgnoredCurrent, Current(s.bytes));
            Assert.Equal(CommandPacket.ChargeModeDefault, s.bytes[12]);
            Assert.Equal(GroupLink.ChargerPort, s.port);
        });
        bench.Answer(0);
        bench.Run(500);
        Assert.False(bench.Link.StartupOver);
        bench.Answer(1);
        bench.Sent.Clear();
        bench.Run(100);
        Assert.True(bench.Link.StartupOver);
        Assert.Contains(bench.Sent, s => !IsIgnore(s.bytes) && Current(s.bytes) == 16000);
    }

    [Fact]
    public void AfterTheGracePeriod_AChargerNeverHeardGetsARealZero()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Run(1000, each: () => { if (bench.Now % 1000 == 0) bench.Answer(0); });
        bench.Run(29_500, each: () => { if (bench.Now % 1000 == 0) bench.Answer(0); });
        Assert.True(bench.Link.StartupOver);
        var last = bench.SentTo(1).Last();
        Assert.False(IsIgnore(last));
        Assert.Equal(0, Current(last));
    }

    [Fact]
    public void StartUp_AdoptsWhatTheChargersApply()
    {
        var bench = new LinkBench("10.0.0.2");
        bench.Deliver(0, bench.State(0, applied: 16000));
        Assert.Equal(16000, bench.Group.Allocations[0].Current);
        Assert.Equal(3, bench.Group.Allocations[0].Phases);
    }

    [Theory]
    [InlineData(1, 1, 12)]
    [InlineData(2, 1, 12)]
    [InlineData(3, 2, 12)]
    [InlineData(4, 3, 16)]
    [InlineData(5, 4, 20)]
    public void EachChargerGetsItsCommandVersion(int stateVersion, int commandVersion, int length)
    {
        var bench = new LinkBench("10.0.0.2");
        bench.Deliver(0, bench.State(0, version: stateVersion), stateVersion);
        bench.Sent.Clear();
        bench.Run(1500);
        Assert.All(bench.Sent, s =>
        {
            Assert.Equal(commandVersion, s.bytes[6]);
            Assert.Equal(length, s.bytes.Length);
        });
    }

    [Fact]
    public void KeepAlive_AboutOneCommandPerChargerPerSecond()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5");
        bench.Run(10_000);
        for (int i = 0; i < 4; i++)
            Assert.InRange(bench.SentTo(i).Count(), 9, 11);
    }

    [Fact]
    public void SequenceNumbersIncreasePerPacketAcrossChargers()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Run(3000);
        var seqs = bench.Sent.Select(s => s.bytes[4] | s.bytes[5] << 8).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count), seqs);
    }

    [Fact]
    public void AnUrgentStateIsAnsweredAtOnce_ButNotTwiceInARow()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Run(2000, each: () => { bench.Answer(0); bench.Answer(1); });
        bench.Sent.Clear();
        var urgent = bench.State(0);
        urgent.FeatureFlags = StatePacket.FeatureUrgent;
        bench.Deliver(0, urgent);
        bench.Run(50);
        Assert.Single(bench.SentTo(0));
        var again = bench.State(0);
        again.FeatureFlags = StatePacket.FeatureUrgent;
        bench.Deliver(0, again);
        bench.Sent.Clear();
        bench.Run(50);
        Assert.Empty(bench.SentTo(0));
    }

    [Fact]
    public void Case05_OnlyTheRightAddressAndPortCount()
    {
        var bench = new LinkBench("10.0.0.2");
        bench.Deliver(0, bench.State(0), port: 40000);
        HostName.TryParseIpv4("10.0.0.99", out uint stranger);
        bench.Deliver(0, bench.State(0), from: stranger);
        Assert.Equal(2, bench.Link.UnknownSource);
        Assert.False(bench.Link.Charger(0).Heard);
        bench.Deliver(0, bench.State(0));
        Assert.True(bench.Link.Charger(0).Heard);
    }

    [Fact]
    public void DuplicatesAreDropped_ARebootedChargerIsAccepted()
    {
        var bench = new LinkBench("10.0.0.2");
        var packet = bench.State(0);
        bench.Deliver(0, packet);
        bench.Deliver(0, packet);
        Assert.Equal(1, bench.Link.Charger(0).Accepted);
        Assert.Equal(1, bench.Link.Charger(0).Stale);
        for (int k = 0; k < 10; k++)
            bench.Deliver(0, bench.State(0));
        var rebooted = bench.State(0);
        rebooted.Seq = 0;
        bench.Deliver(0, rebooted);
        Assert.Equal(12, bench.Link.Charger(0).Accepted);
    }

    /// <summary>Three 3-phase chargers charging, heard every 500 ms, echoing what they are told; returns the bench after start-up.</summary>
    static LinkBench ThreeCharging(int limit)
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3", "10.0.0.4");
        bench.Group.SetAvailableCurrent(limit);
        bench.Run(3000, each: () => { if (bench.Now % 500 == 0) for (int i = 0; i < 3; i++) bench.Answer(i, chargerState: 3); });
        return bench;
    }

    [Fact]
    public void Kind1_TenArbitraryBytesFromAChargersAddress_AreCountedAndDropped_NothingElseChanges()
    {
        // Users' report: 01 02 … 0a from a charger's address gave "packet header invalid … every charger gets 0 A" for 180 s.
        var bench = ThreeCharging(96000);
        Assert.All(new[] { 0, 1, 2 }, i => Assert.Equal(32000, bench.Group.CommandedCurrent(i)));
        var junk = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
        bench.Link.Receive(junk, junk.Length, bench.Addresses[1], GroupLink.ChargerPort, bench.Now);
        Assert.Equal(1, bench.Link.Charger(1).Invalid);
        bench.Run(180_000, each: () =>
        {
            if (bench.Now % 500 == 0) for (int i = 0; i < 3; i++) bench.Answer(i, chargerState: 3);
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(32000, bench.Group.CommandedCurrent(i));
                Assert.Equal(ChargerError.Ok, bench.Link.Charger(i).Error);
            }
        });
        Assert.False(bench.Group.Allocator.GroupBlocked);
    }

    [Fact]
    public void Kind1_ChargeManagementDisabled_IsCountedAtItsWorstCase_TheOthersShareTheRest()
    {
        // Users' report: one charger with management disabled (error 3) set every other charger to 0 A for 176 s.
        var bench = ThreeCharging(64000);
        Assert.All(new[] { 0, 1, 2 }, i => Assert.InRange(bench.Group.CommandedCurrent(i), 21000, 21400));
        bench.Run(60_000, each: () =>
        {
            if (bench.Now % 500 == 0)
            {
                bench.Answer(0, chargerState: 3);
                bench.Answer(1, chargerState: 3);
                var unmanaged = bench.State(2, chargerState: 3, applied: 16000);
                unmanaged.SupportedCurrent = 16000;
                unmanaged.StateFlags = 0;
                bench.Deliver(2, unmanaged);
            }
            for (int i = 0; i < 2; i++)
                Assert.True(bench.Group.CommandedCurrent(i) >= 16000, "the others keep charging");
            // Nothing it does may cost the others more than its own worst case (16 A on three phases).
            for (int p = 1; p <= 3; p++)
                Assert.True(bench.Group.Guard.MayDrawTotal(p) <= 64000 || bench.Now < 4000, $"{bench.Now}: may draw {bench.Group.Guard.MayDrawTotal(p)}");
        });
        Assert.Equal(ChargerError.NotManaged, bench.Link.Charger(2).Error);
        Assert.True(bench.Group.Uncontrolled(2));
        Assert.Equal(16000, bench.Group.Guard.MayDraw(2, 1));
        Assert.Equal(24000, bench.Group.CommandedCurrent(0));
        Assert.Equal(24000, bench.Group.CommandedCurrent(1));
        Assert.Equal(0, bench.Group.CommandedCurrent(2));
        Assert.False(bench.Group.Allocator.GroupBlocked);

        // Management enabled again: it obeys, is released, and the three share again (after the hysteresis).
        bench.Run(240_000, each: () => { if (bench.Now % 500 == 0) for (int i = 0; i < 3; i++) bench.Answer(i, chargerState: 3); });
        Assert.Equal(ChargerError.Ok, bench.Link.Charger(2).Error);
        Assert.False(bench.Group.Uncontrolled(2));
        Assert.True(bench.Group.CommandedCurrent(2) > 0);
    }

    [Fact]
    public void Kind1_AnUnknownChargerWithManagementDisabled_Counts32AOnThreePhases()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Group.SetAvailableCurrent(48000);
        var packet = bench.State(1);
        packet.StateFlags = 0;
        packet.SupportedCurrent = 65535; // implausible: clamped to what a WARP can report
        bench.Deliver(1, packet);
        bench.Run(31_000, each: () => { if (bench.Now % 1000 == 0) bench.Answer(0); }); // charger 1 is never accepted: start-up waits 30 s
        Assert.Equal(ChargerError.NotManaged, bench.Link.Charger(1).Error);
        Assert.Equal(32000, bench.Group.Guard.MayDraw(1, 2));
        Assert.Equal(16000, bench.Group.CommandedCurrent(0));
        Assert.Equal(0, bench.Group.Allocations[1].Current);
    }

    [Fact]
    public void Kind1_AFrozenChargeController_IsCountedAtItsWorstCaseAfter10s()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Group.SetAvailableCurrent(48000);
        bench.Run(2000, each: () => { if (bench.Now % 500 == 0) { bench.Answer(0, 3); bench.Answer(1, 3); } });
        Assert.Equal(24000, bench.Group.CommandedCurrent(0));
        var packet = bench.State(1, 3, applied: 24000);
        bench.Deliver(1, packet);
        uint frozen = packet.EvseUptime;
        bench.Run(14_000, each: () =>
        {
            if (bench.Now % 500 != 0) return;
            bench.Answer(0, 3);
            var again = bench.State(1, 3, applied: 24000);
            again.EvseUptime = frozen;
            bench.Deliver(1, again);
        });
        Assert.Equal(ChargerError.EvseUnreachable, bench.Link.Charger(1).Error);
        Assert.True(bench.Group.Uncontrolled(1));
        Assert.Equal(16000, bench.Group.CommandedCurrent(0)); // 48 A less its 32 A worst case
        Assert.Equal(32000, bench.Group.Guard.MayDraw(1, 1));
    }

    [Fact]
    public void AChargerApplyingMoreThanCommandedFor32s_IsNonreactive_CountedAtItsWorstCase()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        StatePacket Disobeying() { var p = bench.State(1, applied: 16000); p.SupportedCurrent = 16000; return p; }
        bench.Run(1000, each: () => { bench.Answer(0); bench.Answer(1); });
        bench.Group.SetAvailableCurrent(30000); // both are told 15 A; charger 1 keeps applying 16 A
        bench.Run(31_000, each: () =>
        {
            if (bench.Now % 500 != 0) return;
            bench.Answer(0);
            bench.Deliver(1, Disobeying());
        });
        Assert.NotEqual(ChargerError.EvseNonreactive, bench.Link.Charger(1).Error);
        Assert.Equal(15000, bench.Group.CommandedCurrent(0));
        bench.Run(3000, each: () =>
        {
            if (bench.Now % 500 != 0) return;
            bench.Answer(0);
            bench.Deliver(1, Disobeying());
        });
        Assert.Equal(ChargerError.EvseNonreactive, bench.Link.Charger(1).Error);
        Assert.True(bench.Group.Uncontrolled(1));
        Assert.Equal(14000, bench.Group.CommandedCurrent(0)); // 30 A less its 16 A worst case: not 0 A, as WARP gives everyone
        Assert.Equal(0, bench.Group.CommandedCurrent(1));

        bench.Run(10_000, each: () => { if (bench.Now % 500 == 0) { bench.Answer(0); bench.Deliver(1, Disobeying()); } });
        Assert.Equal(ChargerError.EvseNonreactive, bench.Link.Charger(1).Error); // stays until it obeys
        bench.Run(2000, each: () => { if (bench.Now % 500 == 0) { bench.Answer(0); bench.Answer(1); } });
        Assert.Equal(ChargerError.Ok, bench.Link.Charger(1).Error);
        Assert.False(bench.Group.Uncontrolled(1));
    }

    [Fact]
    public void Kind4_AChargerNeverHeardFrom_SaysSo()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Run(31_000, each: () => { if (bench.Now % 1000 == 0) bench.Answer(0); });
        Assert.Equal(ChargerError.NeverHeard, bench.Link.Charger(1).Error);
        Assert.Equal("not heard from since the start", ChargerError.Describe(ChargerError.NeverHeard));
        Assert.Equal(ChargerError.Ok, bench.Link.Charger(0).Error);
        bench.Answer(1);
        Assert.Equal(ChargerError.Ok, bench.Link.Charger(1).Error);
    }

    [Fact]
    public void Issue13_ADatagramWithAnotherUid_IsDropped_AReplacementAfterARestartIsAccepted()
    {
        var bench = new LinkBench("10.0.0.2");
        var first = bench.State(0, applied: 16000);
        first.Esp32Uid = 0x1111;
        bench.Deliver(0, first);
        Assert.Equal(0x1111u, bench.Link.Charger(0).Esp32Uid);
        var spoof = bench.State(0, applied: 32000);
        spoof.Esp32Uid = 0x2222;
        spoof.Seq = 40000;
        bench.Deliver(0, spoof);
        Assert.Equal(1, bench.Link.Charger(0).ForeignUid);
        Assert.Equal(1, bench.Link.Charger(0).Accepted);
        Assert.Equal(16000, bench.Group.Observations[0].AppliedCurrent);
        var own = bench.State(0, applied: 16000);
        own.Esp32Uid = 0x1111;
        bench.Deliver(0, own); // its own sequence was not disturbed by the spoof
        Assert.Equal(2, bench.Link.Charger(0).Accepted);

        var replaced = bench.State(0);
        replaced.Esp32Uid = 0x3333;
        replaced.EvseUptime = 5; // uptime went back: it restarted
        replaced.Seq = 0;
        bench.Deliver(0, replaced);
        Assert.Equal(3, bench.Link.Charger(0).Accepted);
        Assert.Equal(0x3333u, bench.Link.Charger(0).Esp32Uid);
        Assert.Equal(1, bench.Link.Charger(0).UidChanges);
    }

    [Fact]
    public void Issue13_FiftyThousandForgedStatesOf65535mA_NeverRaiseMayDrawAboveWhatAWarpCanDraw()
    {
        var bench = ThreeCharging(96000);
        var buffer = new byte[136];
        for (int n = 0; n < 50_000; n++)
        {
            var forged = bench.State(1, 3, applied: 65535);
            forged.SupportedCurrent = 65535;
            int length = forged.Encode(buffer, 5);
            bench.Link.Receive(buffer, length, bench.Addresses[1], GroupLink.ChargerPort, bench.Now);
            if (n % 10 == 0)
                bench.Run(50);
            for (int p = 1; p <= 3; p++)
                Assert.True(bench.Group.Guard.MayDraw(1, p) <= 32000);
            if (n % 100 == 0)
                for (int p = 1; p <= 3; p++)
                    Assert.True(bench.Group.Guard.MayDrawTotal(p) <= 96000, $"may draw {bench.Group.Guard.MayDrawTotal(p)}");
        }
        Assert.True(bench.Link.Charger(1).Implausible >= 50_000);
    }

    [Fact]
    public void AClientError_StopsOnlyThatCharger()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Run(2000, each: () =>
        {
            bench.Answer(0);
            var packet = bench.State(1, applied: bench.LastCommandCurrent(1));
            packet.ErrorState = 4;
            bench.Deliver(1, packet);
        });
        Assert.Equal(196, bench.Link.Charger(1).Error);
        Assert.False(bench.Group.Uncontrolled(1));
        Assert.Equal(0, bench.Group.CommandedCurrent(1));
        Assert.Equal(32000, bench.Group.CommandedCurrent(0));
    }

    [Fact]
    public void ASilentCharger_IsUnreachableAfter32s_WithoutBlockingTheOthers()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Run(1000, each: () => { bench.Answer(0); bench.Answer(1); });
        bench.Run(37_000, each: () => { if (bench.Now % 500 == 0) bench.Answer(0); });
        Assert.Equal(ChargerError.ChargerUnreachable, bench.Link.Charger(1).Error);
        Assert.False(bench.Group.Uncontrolled(1));
        Assert.Equal(0, bench.Group.Allocations[1].Current);
    }

    [Fact]
    public void MdnsNames_AreResolvedEverySecondAtStartUp_AndAgainWhenSilent()
    {
        var bench = new LinkBench("warp2-22oH.local");
        bench.Run(3000);
        Assert.InRange(bench.ResolveRequests.Count, 3, 4);
        Assert.Empty(bench.Sent); // nowhere to send yet
        HostName.TryParseIpv4("10.0.0.7", out uint address);
        bench.Link.Resolved(0, address);
        bench.Addresses[0] = address;
        bench.Run(1000, each: () => bench.Answer(0));
        int before = bench.ResolveRequests.Count;
        bench.Run(5000, each: () => bench.Answer(0));
        Assert.Equal(before, bench.ResolveRequests.Count); // heard: no need
        bench.Run(8000);
        Assert.True(bench.ResolveRequests.Count > before, "silent for more than 6 s: resolve again");
        Assert.NotEmpty(bench.SentTo(0).TakeLast(3)); // keeps using the stale address meanwhile
    }

    sealed class Nowhere : IDatagramSender, IHostResolver
    {
        public void Send(byte[] buffer, int length, uint ipv4, int port) { }
        public void Resolve(int charger, string host, HostKind kind) { }
    }

    [Fact]
    public void PerChargerStateIsHeldInPrimitiveArrays_AFewBytesPerCharger()
    {
        // On nanoCLR every object field is a heap block (12 B on the ESP32); 64 ChargerLink objects took
        // 50,592 B there. Now one array per field: measured on .NET, where the same layout costs its payload.
        var g = new Distributor(new AllocatorConfig(), 64);
        string[] hosts = Enumerable.Range(0, 64).Select(i => $"10.0.0.{i + 2}").ToArray();
        var nowhere = new Nowhere();
        TextList configured = hosts; // the config's list, made when the config is read (not the link's)
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (string h in hosts) // what parsing the hosts allocates (garbage: Split) is not held; counted out
            HostName.TryParseIpv4(h, out _);
        long parsing = 2 * (GC.GetAllocatedBytesForCurrentThread() - before); // Classify parses once more
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 64; i++) // the link reads each host once from the list (garbage too)
            GC.KeepAlive(configured[i]);
        parsing += GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        var link = new GroupLink(g, configured, nowhere, nowhere, 0);
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before - parsing;
        Assert.InRange(bytes, 64 * 60, 64 * 110 + 1500); // 84 B per charger of payload plus 18 array headers
        Assert.Equal(64, link.Count);
        Assert.Equal(0x0A000002u, link.Charger(0).Address); // the view reads the arrays
        Assert.Equal(ChargerLink.Never, link.Charger(63).LastAcceptedMs);
        Assert.Equal(AllocatorConfig.MaxChargerCurrent, link.Charger(5).WorstCurrent);
        GC.KeepAlive(link);
    }
}
