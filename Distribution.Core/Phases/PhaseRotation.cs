namespace ChargeManager.Distribution.Phases
{
    /// <summary>
    /// How a charger's P1/P2/P3 are wired to the grid's L1/L2/L3 (values as in WARP's config "rot").
    /// A 1-phase vehicle charges on P1, so only P1's grid phase matters for 1-phase cost.
    /// </summary>
    // byte: a table's array of them is 1 B per charger on nanoCLR (4 B as int).
    public enum PhaseRotation : byte
    {
        Unknown = 0,
        L123 = 1,
        L132 = 2,
        L231 = 3,
        L213 = 4,
        L321 = 5,
        L312 = 6,
    }

    public static class Rotation
    {
        /// <summary>Grid phase (1..3) that P1 is wired to, or 0 when the rotation is unknown.</summary>
        public static int GridPhaseOfP1(PhaseRotation rotation)
        {
            switch (rotation)
            {
                case PhaseRotation.L123:
                case PhaseRotation.L132:
                    return Phase.L1;
                case PhaseRotation.L231:
                case PhaseRotation.L213:
                    return Phase.L2;
                case PhaseRotation.L321:
                case PhaseRotation.L312:
                    return Phase.L3;
                default:
                    return 0;
            }
        }

        public static bool IsKnown(PhaseRotation rotation)
        {
            return GridPhaseOfP1(rotation) != 0;
        }
    }
}
