using ChargeManager.Distribution.Phases;

namespace ChargeManager.Distribution.Allocation
{
    /// <summary>
    /// What the manager last learned about each charger of a group, one primitive array per value,
    /// indexed by charger (<see cref="ChargerObservation"/> is a view of one row). On nanoFramework
    /// every field of an object is a heap block (12 B on the ESP32) while an array of primitives holds
    /// 1–8 B per element, so a group's observations take a few hundred bytes instead of a block per
    /// value and charger. Hot loops (allocator, guard) read the arrays directly.
    /// </summary>
    public sealed class ObservationTable
    {
        public readonly int Count;

        // The meaning of each column is documented on the property of the same name of ChargerObservation.
        public readonly long[] LastHeardMs;
        public readonly PhaseRotation[] Rotation;
        public readonly VehicleState[] State;
        public readonly int[] SupportedCurrent;
        public readonly int[] ReportedPhases;
        public readonly bool[] CanSwitchPhases;
        public readonly bool[] CarStoppedCharging;
        public readonly float[] LineCurrent1;
        public readonly float[] LineCurrent2;
        public readonly float[] LineCurrent3;
        public readonly long[] TimeSinceStateChangeMs;
        public readonly int[] AppliedCurrent;
        public readonly int[] ErrorCode;
        public readonly bool[] SupportsPilotDisconnect;
        public readonly bool[] PilotDisconnected;

        public ObservationTable(int count)
        {
            Count = count;
            LastHeardMs = new long[count];
            Rotation = new PhaseRotation[count];
            State = new VehicleState[count];
            SupportedCurrent = new int[count];
            ReportedPhases = new int[count];
            CanSwitchPhases = new bool[count];
            CarStoppedCharging = new bool[count];
            LineCurrent1 = new float[count];
            LineCurrent2 = new float[count];
            LineCurrent3 = new float[count];
            TimeSinceStateChangeMs = new long[count];
            AppliedCurrent = new int[count];
            ErrorCode = new int[count];
            SupportsPilotDisconnect = new bool[count];
            PilotDisconnected = new bool[count];
            for (int i = 0; i < count; i++)
                Clear(i);
        }

        /// <summary>Row i as nothing has been heard yet.</summary>
        public void Clear(int i)
        {
            LastHeardMs[i] = ChargerObservation.Never;
            Rotation[i] = PhaseRotation.Unknown;
            State[i] = VehicleState.NotConnected;
            SupportedCurrent[i] = AllocatorConfig.MaxChargerCurrent;
            ReportedPhases[i] = 3;
            CanSwitchPhases[i] = false;
            CarStoppedCharging[i] = false;
            LineCurrent1[i] = float.NaN;
            LineCurrent2[i] = float.NaN;
            LineCurrent3[i] = float.NaN;
            TimeSinceStateChangeMs[i] = -1;
            AppliedCurrent[i] = 0;
            ErrorCode[i] = 0;
            SupportsPilotDisconnect[i] = false;
            PilotDisconnected[i] = false;
        }

        /// <summary>Copies row k of another table into row i of this one.</summary>
        public void CopyRow(int i, ObservationTable from, int k)
        {
            LastHeardMs[i] = from.LastHeardMs[k];
            Rotation[i] = from.Rotation[k];
            State[i] = from.State[k];
            SupportedCurrent[i] = from.SupportedCurrent[k];
            ReportedPhases[i] = from.ReportedPhases[k];
            CanSwitchPhases[i] = from.CanSwitchPhases[k];
            CarStoppedCharging[i] = from.CarStoppedCharging[k];
            LineCurrent1[i] = from.LineCurrent1[k];
            LineCurrent2[i] = from.LineCurrent2[k];
            LineCurrent3[i] = from.LineCurrent3[k];
            TimeSinceStateChangeMs[i] = from.TimeSinceStateChangeMs[k];
            AppliedCurrent[i] = from.AppliedCurrent[k];
            ErrorCode[i] = from.ErrorCode[k];
            SupportsPilotDisconnect[i] = from.SupportsPilotDisconnect[k];
            PilotDisconnected[i] = from.PilotDisconnected[k];
        }

        /// <summary>A view of every row (row i is element i).</summary>
        public ChargerObservation[] Views()
        {
            ChargerObservation[] views = new ChargerObservation[Count];
            for (int i = 0; i < Count; i++)
                views[i] = new ChargerObservation(this, i);
            return views;
        }

        /// <summary>
        /// The table behind these views, row i for views[i]. Views made one by one (tests, tools: each
        /// has a table of its own) are moved into one new table with their values, so the allocator and
        /// the guard can read columns; views already laid out so (a <see cref="Distributor"/>'s) keep theirs.
        /// </summary>
        public static ObservationTable Of(ChargerObservation[] views)
        {
            int n = views.Length;
            if (n > 0)
            {
                ObservationTable shared = views[0].table;
                bool laidOut = shared.Count == n;
                for (int i = 0; i < n && laidOut; i++)
                    laidOut = views[i].table == shared && views[i].index == i;
                if (laidOut)
                    return shared;
            }
            ObservationTable table = new ObservationTable(n);
            for (int i = 0; i < n; i++)
            {
                table.CopyRow(i, views[i].table, views[i].index);
                views[i].table = table;
                views[i].index = i;
            }
            return table;
        }
    }
}
