namespace ChargeManager.Distribution.Link
{
    /// <summary>Per-charger errors as the API shows them (WARP's CASError, spec §1.10). Below 192: the manager's findings; 192 + n: the charger's own EVSE error n.</summary>
    public static class ChargerError
    {
        public const int Ok = 0;
        public const int InvalidHeader = 2;
        public const int NotManaged = 3;
        public const int ChargerUnreachable = 128;
        public const int EvseUnreachable = 129;
        public const int EvseNonreactive = 130;
        public const int ClientErrorBase = 192;

        /// <summary>Errors that stop the whole group: a charger we cannot trust to follow commands.</summary>
        public static bool BlocksGroup(int error)
        {
            return error == InvalidHeader || error == NotManaged || error == EvseUnreachable || error == EvseNonreactive;
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
                case ClientErrorBase + 2: return "switch error";
                case ClientErrorBase + 3: return "DC fault protector error";
                case ClientErrorBase + 4: return "contactor error";
                case ClientErrorBase + 5: return "vehicle communication error";
                default: return "error " + error.ToString();
            }
        }
    }
}
