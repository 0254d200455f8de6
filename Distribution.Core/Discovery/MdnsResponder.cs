using ChargeManager.Distribution.Util;
namespace ChargeManager.Distribution.Discovery
{
    /// <summary>
    /// Answers mDNS queries (RFC 6762) for the device: the A record of HOSTNAME.local and the DNS-SD
    /// announcement of its web server (RFC 6763: PTR _http._tcp.local → HOSTNAME._http._tcp.local, its
    /// SRV → HOSTNAME.local:port and TXT "path=/"). Pure: query bytes in, answer bytes out; the shells
    /// own the socket on UDP 5353. A query from a port other than 5353 is a legacy unicast query
    /// (§6.7): the answer goes back to that port, repeats the ID and the question, has TTLs of at most
    /// 10 s and no cache-flush bits. Names are compared without regard to case (§16).
    /// </summary>
    public sealed class MdnsResponder
    {
        public const int Port = 5353;
        public const string HttpService = "_http._tcp.local";
        const int HostTtlS = 120, ServiceTtlS = 4500, LegacyTtlS = 10;
        static readonly string[] Txt = { "path=/" };

        readonly DnsMessage query = new DnsMessage();

        /// <summary>The host name without ".local" (network/config's hostname); null or empty: answer nothing.</summary>
        public string Hostname;
        /// <summary>The device's IPv4 address (first octet in the high byte, as DnsMessage keeps them).</summary>
        public uint Address;
        /// <summary>The web server's TCP port, announced in SRV.</summary>
        public int HttpPort = 80;

        /// <summary>After <see cref="Answer"/>: send the answer to the asker's address and port, not to 224.0.0.251:5353.</summary>
        public bool Unicast;

        /// <summary>
        /// The answer to a datagram that arrived from <paramref name="sourcePort"/>, written into
        /// <paramref name="answer"/> (512 bytes are enough for a 63-character name); its length, or 0
        /// when there is nothing to answer (a response, malformed, another name, no address yet).
        /// </summary>
        public int Answer(byte[] datagram, int length, int sourcePort, byte[] answer)
        {
            Unicast = false;
            if (Hostname == null || Hostname.Length == 0 || Address == 0 || !query.Read(datagram, length) || query.IsResponse)
                return 0;
            string host = Hostname + ".local";
            string instance = Hostname + "." + HttpService;
            bool wantA = false, wantPtr = false, wantInstance = false, qu = false;
            for (int i = 0; i < query.QuestionCount; i++)
            {
                string name = query.QuestionName[i];
                int type = query.QuestionType[i];
                bool any = type == DnsMessage.TypeAny;
                bool asked = false;
                if (Ascii.EqualsIgnoreCase(name, host) && (type == DnsMessage.TypeA || any))
                    asked = wantA = true;
                else if (Ascii.EqualsIgnoreCase(name, HttpService) && (type == DnsMessage.TypePtr || any))
                    asked = wantPtr = true;
                else if (Ascii.EqualsIgnoreCase(name, instance) && (type == DnsMessage.TypeSrv || type == DnsMessage.TypeTxt || any))
                    asked = wantInstance = true;
                if (asked)
                    qu |= query.QuestionUnicast[i];
            }
            if (!wantA && !wantPtr && !wantInstance)
                return 0;
            bool legacy = sourcePort != Port;
            Unicast = legacy || qu;
            int hostTtl = legacy ? LegacyTtlS : HostTtlS, serviceTtl = legacy ? LegacyTtlS : ServiceTtlS;
            bool flush = !legacy;

            int at = DnsMessage.WriteResponseHeader(answer, 0);
            if (legacy)
            {
                // Repeat the ID and the question section (§6.7): a plain resolver matches the answer by them.
                answer[0] = (byte)(query.Id >> 8);
                answer[1] = (byte)query.Id;
                answer[4] = datagram[4];
                answer[5] = datagram[5];
                if (query.QuestionsEnd > answer.Length)
                    return 0;
                for (int i = 12; i < query.QuestionsEnd; i++)
                    answer[i] = datagram[i];
                at = query.QuestionsEnd;
            }
            int records = 0;
            if (wantPtr)
            {
                at = DnsMessage.WritePtr(answer, at, HttpService, instance, serviceTtl, false); // shared record: never flushed
                records++;
            }
            if (wantPtr || wantInstance)
            {
                at = DnsMessage.WriteSrv(answer, at, instance, host, HttpPort, hostTtl, flush);
                at = DnsMessage.WriteTxt(answer, at, instance, Txt, serviceTtl, flush);
                records += 2;
            }
            at = DnsMessage.WriteA(answer, at, host, Address, hostTtl, flush); // with a service too: the asker needs the address
            records++;
            answer[6] = (byte)(records >> 8);
            answer[7] = (byte)records;
            return at;
        }
    }
}
