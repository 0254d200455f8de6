namespace ChargeManager.Distribution.Link
{
    /// <summary>Per-charger errors as the API shows them (WARP's CASError, spec §1.10). Below 192: the manager's findings; 192 + n: the charger's own EVSE error n.</summary>
    public static class ChargerError
    {
        public const int Ok = 0;
        /// <summary>WARP's code for a malformed packet. Never set here: a malformed datagram says nothing about the charger (anyone can send one from its address); it is counted and dropped.</summary>
        public const int InvalidHeader = 2;
        public const int NotManaged = 3;
        public const int ChargerUnreachable = 128;
        public const int EvseUnreachable = 129;
        public const int EvseNonreactive = 130;
        /// <summary>Ours (WARP has no code for it and shows OK): configured, but no valid state packet has arrived from it since the link started.</summary>
        public const int NeverHeard = 131;
        public const int ClientErrorBase = 192;

        /// <summary>
        /// Errors that mean the charger may not follow our commands. WARP stops the whole group for them;
        /// we count such a charger at its worst case (see <see cref="Distributor.SetUncontrolled"/>) and
        /// the others share what is left.
        /// </summary>
        public static bool Uncontrollable(int error)
        {
            return error == NotManaged || error == EvseUnreachable || error == EvseNonreactive;
        }

        public static string Describe(int error)
        {
            switch (error)
            {
                case Ok: return "OK";
                case InvalidHeader: return "packet header invalid or firmware incompatible";
                case NotManaged: return "charge management disabled on the charger";
                case ChargerUnreachable: return "charger unreachable";
                case EvseUnreachable: return "charge controller unreachable";
                case EvseNonreactive: return "charge controller does not react";
                case NeverHeard: return "not heard from since the start";
                case ClientErrorBase + 2: return "switch error";
                case ClientErrorBase + 3: return "DC fault protector error";
                case ClientErrorBase + 4: return "contactor error";
                case ClientErrorBase + 5: return "vehicle communication error";
                default: return "error " + error.ToString();
            }
        }
    }
}
