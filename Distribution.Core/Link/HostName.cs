namespace ChargeManager.Distribution.Link
{
    public enum HostKind
    {
        Ipv4Literal = 0,
        Mdns = 1,  // ends in .local: found by browsing _tf-warp-cm._udp
        Dns = 2,
    }

    /// <summary>Classifies configured host strings (spec §1.11) and handles IPv4 addresses as big-endian uints (a.b.c.d = a&lt;&lt;24 | …).</summary>
    public static class HostName
    {
        public static HostKind Classify(string host)
        {
            uint ignored;
            if (TryParseIpv4(host, out ignored))
                return HostKind.Ipv4Literal;
            if (host.ToLower().EndsWith(".local"))
                return HostKind.Mdns;
            return HostKind.Dns;
        }

        public static bool TryParseIpv4(string text, out uint address)
        {
            address = 0;
            if (text == null)
                return false;
            string[] parts = text.Split('.');
            if (parts.Length != 4)
                return false;
            for (int i = 0; i < 4; i++)
            {
                string part = parts[i];
                if (part.Length == 0 || part.Length > 3)
                    return false;
                int value = 0;
                for (int k = 0; k < part.Length; k++)
                {
                    char c = part[k];
                    if (c < '0' || c > '9')
                        return false;
                    value = value * 10 + (c - '0');
                }
                if (value > 255)
                    return false;
                address = (address << 8) | (uint)value;
            }
            return true;
        }

        /// <summary>An address's 4 bytes (network order) as a uint; 0 for anything that is not IPv4.</summary>
        public static uint FromBytes(byte[] b)
        {
            return b != null && b.Length == 4 ? (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]) : 0;
        }

        /// <summary>Writes the address into a 4-byte buffer (network order).</summary>
        public static void ToBytes(uint address, byte[] b)
        {
            b[0] = (byte)(address >> 24);
            b[1] = (byte)(address >> 16);
            b[2] = (byte)(address >> 8);
            b[3] = (byte)address;
        }

        public static string FormatIpv4(uint address)
        {
            return ((address >> 24) & 255).ToString() + "." + ((address >> 16) & 255).ToString() + "."
                + ((address >> 8) & 255).ToString() + "." + (address & 255).ToString();
        }

        /// <summary>The part before ".local", as mDNS results name hosts (compared case-sensitively, as WARP does).</summary>
        public static string MdnsHostLabel(string host)
        {
            return host.Substring(0, host.Length - ".local".Length);
        }
    }
}
