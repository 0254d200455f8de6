namespace ChargeManager.Distribution.Util
{
    /// <summary>Min/max helpers: nanoFramework's System.Math is a separate package the core does not take.</summary>
    public static class Ints
    {
        public static int Min(int a, int b) { return a < b ? a : b; }
        public static int Max(int a, int b) { return a > b ? a : b; }
        public static long Min(long a, long b) { return a < b ? a : b; }
        public static long Max(long a, long b) { return a > b ? a : b; }
        public static int Clamp(int value, int low, int high) { return value < low ? low : value > high ? high : value; }
    }
}
