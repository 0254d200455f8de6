namespace ChargeManager.Distribution.Phases
{
    /// <summary>
    /// What a charger running at a current on a number of phases takes from each grid phase
    /// (spec §3.1.3): 3 phases take I on every phase; 1 phase takes I on P1's grid phase, or on
    /// all three when the rotation is unknown (we cannot know which one it loads).
    /// </summary>
    public static class Cost
    {
        public static int On(int gridPhase, int current, int phases, PhaseRotation rotation)
        {
            if (phases == 0 || current <= 0)
                return 0;
            if (gridPhase == Phase.PV)
                return phases == 3 ? 3 * current : current;
            if (phases == 3)
                return current;
            int p1 = Rotation.GridPhaseOfP1(rotation);
            return p1 == 0 || p1 == gridPhase ? current : 0;
        }

        /// <summary>Whether running on these phases puts any load on the grid phase.</summary>
        public static bool Uses(int gridPhase, int phases, PhaseRotation rotation)
        {
            // On(gridPhase, 1, phases, rotation) > 0, unrolled: the allocator asks this in its inner loops.
            if (phases == 0)
                return false;
            if (phases == 3 || gridPhase == Phase.PV)
                return true;
            int p1 = Rotation.GridPhaseOfP1(rotation);
            return p1 == 0 || p1 == gridPhase;
        }

        /// <summary>vector[offset + p] += sign × cost on p, for p = PV..L3.</summary>
        public static void Add(int[] vector, int offset, int current, int phases, PhaseRotation rotation, int sign)
        {
            // The same sums as On for each p, in one pass (on nanoCLR every call and loop step counts).
            if (phases == 0 || current <= 0)
                return;
            int c = sign * current;
            if (phases == 3)
            {
                vector[offset + Phase.PV] += 3 * c;
                vector[offset + Phase.L1] += c;
                vector[offset + Phase.L2] += c;
                vector[offset + Phase.L3] += c;
                return;
            }
            vector[offset + Phase.PV] += c;
            int p1 = Rotation.GridPhaseOfP1(rotation);
            if (p1 == 0)
            {
                vector[offset + Phase.L1] += c;
                vector[offset + Phase.L2] += c;
                vector[offset + Phase.L3] += c;
            }
            else
                vector[offset + p1] += c;
        }
    }
}
