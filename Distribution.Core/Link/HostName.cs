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
            if (Canonical(host).EndsWith(".local"))
                return HostKind.Mdns;
            return HostKind.Dns;
        }

        /// <summary>
        /// A dotted-quad IPv4 address. An octet may have leading zeros only where decimal and octal agree
        /// ("02"): some resolvers (inet_aton, lwIP) read "010" as octal 8, so such a spelling is not taken.
        /// </summary>
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
                if (value > 255 || (part.Length > 1 && part[0] == '0' && value >= 8))
                    return false;
                address = (address << 8) | (uint)value;
            }
            return true;
        }

        /// <summary>
        /// One spelling per charger, for comparing configured hosts: an IPv4 address in its plain dotted
        /// form (127.0.40.02 → 127.0.40.2); a name in lower case without a trailing dot (DNS names are
        /// case-insensitive, RFC 4343, and so are mDNS names, RFC 6762 §16).
        /// </summary>
        public static string Canonical(string host)
        {
            uint address;
            if (TryParseIpv4(host, out address))
                return FormatIpv4(address);
            string name = host.ToLower();
            if (name.EndsWith("."))
                name = name.Substring(0, name.Length - 1);
            return name;
        }

        /// <summary>True if both spell the same host (<see cref="Canonical"/>).</summary>
        public static bool Same(string a, string b)
        {
            return a != null && b != null && Canonical(a) == Canonical(b);
        }

        /// <summary>Where the host stands in the list (<see cref="Same"/>), or -1.</summary>
        public static int IndexOf(string[] hosts, string host)
        {
            for (int i = 0; i < hosts.Length; i++)
                if (Same(hosts[i], host))
                    return i;
            return -1;
        }

        /// <summary>
        /// Null if the host is a valid IPv4 address or host name (RFC 1123: labels of 1–63 letters, digits
        /// and hyphens, not starting or ending with a hyphen; the last label not all digits; at most 253
        /// characters; one trailing dot allowed), else why not.
        /// </summary>
        public static string Check(string host)
        {
            if (host == null || host.Length == 0)
                return "must not be empty";
            uint address;
            if (TryParseIpv4(host, out address))
                return null;
            string name = host.EndsWith(".") ? host.Substring(0, host.Length - 1) : host;
            if (name.Length == 0 || name.Length > 253)
                return "'" + host + "' is neither an IPv4 address nor a host name";
            string[] labels = name.Split('.');
            bool numericOnly = true;
            for (int i = 0; i < labels.Length; i++)
            {
                string label = labels[i];
                if (label.Length == 0 || label.Length > 63 || label[0] == '-' || label[label.Length - 1] == '-')
                    return "'" + host + "' is neither an IPv4 address nor a host name";
                bool digits = true;
                for (int k = 0; k < label.Length; k++)
                {
                    char c = label[k];
                    bool digit = c >= '0' && c <= '9';
                    digits &= digit;
                    if (!digit && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && c != '-')
                        return "'" + host + "' is neither an IPv4 address nor a host name (character '" + c.ToString() + "')";
                }
                numericOnly &= digits;
                if (i == labels.Length - 1 && digits)
                    return numericOnly && labels.Length == 4
                        ? "'" + host + "' is not a valid IPv4 address (each part 0 to 255; a leading 0 only where octal and decimal agree)"
                        : "'" + host + "' is neither an IPv4 address nor a host name (the last part must not be all digits)";
            }
            return null;
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

        /// <summary>The part before ".local", as mDNS results name hosts.</summary>
        public static string MdnsHostLabel(string host)
        {
            return host.Substring(0, host.Length - ".local".Length);
        }
    }
}
