using System;
using ChargeManager.Distribution;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Json;

namespace ChargeManager.Tools.HistoryOnNano
{
    /// <summary>
    /// Heap of charge_manager/history on nanoCLR: free heap (GC.Run(false)) before and after one
    /// History for 5 and 64 chargers, then after an hour of samples (it must not grow), and the size
    /// of the served object. Prints "history-on-nano: done" last; a missing line means it died.
    /// </summary>
    public static class Program
    {
        static History keep;
        static Distributor group;

        public static void Main()
        {
            try
            {
                Measure(5);
                Measure(64);
                Console.WriteLine("history-on-nano: done");
            }
            catch (Exception e)
            {
                Console.WriteLine("history-on-nano: failed: " + e.Message);
            }
        }

        static long Free()
        {
            return (long)nanoFramework.Runtime.Native.GC.Run(false);
        }

        static void Measure(int chargers)
        {
            keep = null;
            group = new Distributor(new AllocatorConfig(), chargers);
            group.SetAvailableCurrent(32000);
            long before = Free();
            keep = new History();
            keep.Record(group, 0);
            long after = Free();
            for (long t = 1000; t <= 3700000; t += 1000)
            {
                // Meters that read differently in every sample: the served object's worst realistic case.
                float amps = 6f + (t / 10000 % 50) * 0.3f;
                for (int i = 0; i < chargers; i++)
                {
                    group.Observations[i].LineCurrent1 = amps;
                    group.Observations[i].LineCurrent2 = amps + 1f;
                    group.Observations[i].LineCurrent3 = amps + 2f;
                }
                keep.Record(group, t);
            }
            long hour = Free();
            JsonWriter w = new JsonWriter(8192);
            keep.Write(w, 3700000);
            Console.WriteLine("history on nanoCLR, " + chargers.ToString() + " chargers: " + (before - after).ToString()
                + " B heap (" + keep.PayloadBytes.ToString() + " B payload); after an hour of samples (" + keep.Count.ToString()
                + "): " + (before - hour).ToString() + " B; served object, meters changing every sample: " + w.Length.ToString() + " B");
        }
    }
}
