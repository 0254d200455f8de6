namespace ChargeManager.NanoBench
{
    /// <summary>nanoCLR entry point: heap figures from nanoFramework.Runtime.Native's GC.Run(false) (free bytes after a collection).</summary>
    public static class Program
    {
        static long Used() { return -(long)nanoFramework.Runtime.Native.GC.Run(false); }
        static long Unknown() { return -1; }

        public static void Main()
        {
            BenchScripts.Run(Used, Unknown, "nanoCLR");
        }
    }
}
