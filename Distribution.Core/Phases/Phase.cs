namespace ChargeManager.Distribution.Phases
{
    /// <summary>
    /// Indices of a phase vector: [PV, L1, L2, L3]. Slot 0 is kept for a PV-excess budget
    /// (WARP's layout); today nothing limits it, so only L1..L3 are checked.
    /// </summary>
    public static class Phase
    {
        public const int PV = 0;
        public const int L1 = 1;
        public const int L2 = 2;
        public const int L3 = 3;
        public const int VectorLength = 4;

        /// <summary>A limit that never binds, for slots that are not limited.</summary>
        public const int Unlimited = int.MaxValue / 4;

        public static string Name(int phase)
        {
            switch (phase)
            {
                case PV: return "PV";
                case L1: return "L1";
                case L2: return "L2";
                case L3: return "L3";
                default: return "?";
            }
        }
    }
}
