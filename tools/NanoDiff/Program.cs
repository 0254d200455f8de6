namespace ChargeManager.NanoDiff
{
    /// <summary>The nanoCLR entry point: every script, printed to the console (nanoCLR's stdout).</summary>
    public static class Program
    {
        public static void Main()
        {
            DiffScripts.Run(null, null);
        }
    }
}
