namespace ChargeManager.NanoBench
{
    /// <summary>.NET entry point: heap after a full collection, and exact allocated bytes per thread.</summary>
    public static class Program
    {
        static long Used() { System.GC.Collect(); System.GC.WaitForPendingFinalizers(); System.GC.Collect(); return System.GC.GetTotalMemory(true); }
        static long Allocated() { return System.GC.GetAllocatedBytesForCurrentThread(); }

        public static void Main()
        {
            BenchScripts.Run(Used, Allocated, ".NET");
        }
    }
}
