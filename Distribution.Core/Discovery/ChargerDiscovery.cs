using ChargeManager.Distribution.Link;

namespace ChargeManager.Distribution.Discovery
{
    /// <summary>
    /// WARP chargers advertise the DNS-SD service _tf-warp-cm._udp with TXT entries enabled, display_name
    /// and version (spec §1.11). A browse answer resolves every configured *.local host whose name matches
    /// an advertised host to the host's IPv4 address. Names match without regard to case (RFC 6762 §16; WARP
    /// compares case-sensitively, so that two spellings of one name would be two chargers).
    /// </summary>
    public static class ChargerDiscovery
    {
        public const string Service = "_tf-warp-cm._udp.local";
        public const int Ok = 0;
        public const int FirmwareMismatch = 1;
        public const int ManagementDisabled = 2;
        public const int NotACharger = -1;

        /// <summary>Writes the browse query into buffer; returns its length.</summary>
        public static int WriteQuery(byte[] buffer)
        {
            return DnsMessage.WritePtrQuery(buffer, Service);
        }

        /// <summary>Resolves the configured mDNS hosts that the answer advertises; returns how many.</summary>
        public static int Apply(DnsMessage answer, GroupLink link)
        {
            int resolved = 0;
            for (int r = 0; r < answer.RecordCount; r++)
            {
                if (answer.Type[r] != DnsMessage.TypePtr || answer.Name[r] != Service)
                    continue;
                string instance = answer.Target[r];
                string host = Find(answer, DnsMessage.TypeSrv, instance);
                string[] txt = FindText(answer, instance);
                if (host == null || Check(txt) == NotACharger)
                    continue;
                uint address = FindAddress(answer, host);
                if (address == 0)
                    continue;
                for (int i = 0; i < link.Count; i++)
                {
                    ChargerLink charger = link.Charger(i);
                    if (charger.Kind == HostKind.Mdns && HostName.Same(charger.Host, host))
                    {
                        link.Resolved(i, address);
                        resolved++;
                    }
                }
            }
            return resolved;
        }

        /// <summary>
        /// A result is a charger only if its TXT has enabled, display_name and version, non-empty. Then:
        /// version "34127.n" with n ≥ 1 speaks our protocol; enabled must be "true" for it to accept commands.
        /// </summary>
        public static int Check(string[] txt)
        {
            if (txt == null || txt.Length < 3)
                return NotACharger;
            string enabled = Value(txt, "enabled"), name = Value(txt, "display_name"), version = Value(txt, "version");
            if (enabled == null || name == null || version == null)
                return NotACharger;
            int dot = version.IndexOf('.');
            int minor;
            if (dot < 0 || version.Substring(0, dot) != "34127" || !int.TryParse(version.Substring(dot + 1), out minor) || minor < 1)
                return FirmwareMismatch;
            return enabled == "true" ? Ok : ManagementDisabled;
        }

        static string Value(string[] txt, string key)
        {
            for (int i = 0; i < txt.Length; i++)
            {
                string e = txt[i];
                if (e.Length > key.Length + 1 && e.StartsWith(key) && e[key.Length] == '=')
                    return e.Substring(key.Length + 1);
            }
            return null;
        }

        static string Find(DnsMessage m, int type, string name)
        {
            for (int r = 0; r < m.RecordCount; r++)
                if (m.Type[r] == type && m.Name[r] == name)
                    return m.Target[r];
            return null;
        }

        static string[] FindText(DnsMessage m, string name)
        {
            for (int r = 0; r < m.RecordCount; r++)
                if (m.Type[r] == DnsMessage.TypeTxt && m.Name[r] == name)
                    return m.Text[r];
            return null;
        }

        static uint FindAddress(DnsMessage m, string host)
        {
            for (int r = 0; r < m.RecordCount; r++)
                if (m.Type[r] == DnsMessage.TypeA && m.Name[r] == host)
                    return m.Address[r];
            return 0;
        }
    }
}
