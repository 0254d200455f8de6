namespace ChargeManager.Distribution.Discovery
{
    /// <summary>
    /// Just enough of the DNS wire format (RFC 1035, with RFC 6762/6763 use) to browse a DNS-SD service
    /// over mDNS: write a PTR query, read PTR, SRV, TXT and A records (with name compression), and write
    /// such answers (for the charger simulator). Fixed-size record storage; a message with more records
    /// than fit is read up to that many. Any malformed message is rejected as a whole, never thrown on.
    /// </summary>
    public sealed class DnsMessage
    {
        public const int TypeA = 1;
        public const int TypePtr = 12;
        public const int TypeTxt = 16;
        public const int TypeSrv = 33;
        public const int ClassIn = 1;
        public const int MaxRecords = 64;

        public int RecordCount;
        public bool IsResponse;
        public const int TypeAny = 255;
        public const int MaxQuestions = 16;
        /// <summary>The message ID (0 in mDNS, a legacy resolver's own otherwise: RFC 6762 §6.7 echoes it).</summary>
        public int Id;
        public int QuestionCount;
        /// <summary>Where the question section ends (it starts at 12): a legacy unicast answer repeats it.</summary>
        public int QuestionsEnd;
        public readonly string[] QuestionName = new string[MaxQuestions];
        public readonly int[] QuestionType = new int[MaxQuestions];
        /// <summary>The QU bit (RFC 6762 §5.4): the asker wants the answer sent to it, not to the group.</summary>
        public readonly bool[] QuestionUnicast = new bool[MaxQuestions];
        public readonly string[] Name = new string[MaxRecords];
        public readonly int[] Type = new int[MaxRecords];
        /// <summary>PTR: the instance; SRV: the target host; otherwise null.</summary>
        public readonly string[] Target = new string[MaxRecords];
        public readonly uint[] Address = new uint[MaxRecords];
        public readonly int[] Port = new int[MaxRecords];
        /// <summary>TXT: the entries ("key=value").</summary>
        public readonly string[][] Text = new string[MaxRecords][];

        /// <summary>Writes a one-question PTR query for the service (e.g. "_tf-warp-cm._udp.local"), asking for a unicast answer.</summary>
        public static int WritePtrQuery(byte[] b, string service)
        {
            for (int i = 0; i < 12; i++)
                b[i] = 0;
            b[5] = 1; // one question
            int at = WriteName(b, 12, service);
            at = Put16(b, at, TypePtr);
            return Put16(b, at, 0x8000 | ClassIn); // QU: answer to the asking port, not only to the group
        }

        /// <summary>Parses a message; false if it is malformed (then nothing in this instance is meaningful).</summary>
        public bool Read(byte[] b, int length)
        {
            RecordCount = 0;
            if (length < 12)
                return false;
            IsResponse = (b[2] & 0x80) != 0;
            Id = Get16(b, 0);
            QuestionCount = 0;
            int questions = Get16(b, 4);
            int records = Get16(b, 6) + Get16(b, 8) + Get16(b, 10);
            int at = 12;
            for (int q = 0; q < questions; q++)
            {
                string qname = ReadName(b, at, length);
                at = SkipName(b, at, length);
                if (qname == null || at < 0 || at + 4 > length)
                    return false;
                if (QuestionCount < MaxQuestions)
                {
                    QuestionName[QuestionCount] = qname;
                    QuestionType[QuestionCount] = Get16(b, at);
                    QuestionUnicast[QuestionCount] = (b[at + 2] & 0x80) != 0;
                    QuestionCount++;
                }
                at += 4;
            }
            QuestionsEnd = at;
            for (int r = 0; r < records; r++)
            {
                string name = ReadName(b, at, length);
                at = SkipName(b, at, length);
                if (name == null || at < 0 || at + 10 > length)
                    return false;
                int type = Get16(b, at);
                int dataLength = Get16(b, at + 8);
                int data = at + 10;
                at = data + dataLength;
                if (at > length)
                    return false;
                if (RecordCount == MaxRecords)
                    continue;
                int k = RecordCount;
                Name[k] = name;
                Type[k] = type;
                Target[k] = null;
                Text[k] = null;
                Address[k] = 0;
                Port[k] = 0;
                if (type == TypeA)
                {
                    if (dataLength != 4)
                        return false;
                    Address[k] = (uint)(b[data] << 24 | b[data + 1] << 16 | b[data + 2] << 8 | b[data + 3]);
                }
                else if (type == TypePtr)
                {
                    Target[k] = ReadName(b, data, at);
                    if (Target[k] == null)
                        return false;
                }
                else if (type == TypeSrv)
                {
                    if (dataLength < 7)
                        return false;
                    Port[k] = Get16(b, data + 4);
                    Target[k] = ReadName(b, data + 6, at);
                    if (Target[k] == null)
                        return false;
                }
                else if (type == TypeTxt)
                {
                    Text[k] = ReadText(b, data, at);
                    if (Text[k] == null)
                        return false;
                }
                else
                    continue; // another record type: skipped
                RecordCount++;
            }
            return true;
        }

        // ---- writing answers (the simulator's responder) ----

        public static int WriteResponseHeader(byte[] b, int answers)
        {
            for (int i = 0; i < 12; i++)
                b[i] = 0;
            b[2] = 0x84; // response, authoritative
            Put16(b, 6, answers);
            return 12;
        }

        public static int WritePtr(byte[] b, int at, string service, string instance, int ttl = 4500, bool flush = false)
        {
            at = WriteRecordHead(b, WriteName(b, at, service), TypePtr, ttl, flush);
            int lengthAt = at;
            at = WriteName(b, at + 2, instance);
            Put16(b, lengthAt, at - lengthAt - 2);
            return at;
        }

        public static int WriteSrv(byte[] b, int at, string instance, string host, int port, int ttl = 4500, bool flush = false)
        {
            at = WriteRecordHead(b, WriteName(b, at, instance), TypeSrv, ttl, flush);
            int lengthAt = at;
            at = Put16(b, at + 2, 0);
            at = Put16(b, at, 0);
            at = Put16(b, at, port);
            at = WriteName(b, at, host);
            Put16(b, lengthAt, at - lengthAt - 2);
            return at;
        }

        public static int WriteTxt(byte[] b, int at, string instance, string[] entries, int ttl = 4500, bool flush = false)
        {
            at = WriteRecordHead(b, WriteName(b, at, instance), TypeTxt, ttl, flush);
            int lengthAt = at;
            at += 2;
            for (int i = 0; i < entries.Length; i++)
            {
                string e = entries[i];
                b[at++] = (byte)e.Length;
                for (int c = 0; c < e.Length; c++)
                    b[at++] = (byte)e[c];
            }
            Put16(b, lengthAt, at - lengthAt - 2);
            return at;
        }

        public static int WriteA(byte[] b, int at, string host, uint address, int ttl = 4500, bool flush = false)
        {
            at = WriteRecordHead(b, WriteName(b, at, host), TypeA, ttl, flush);
            at = Put16(b, at, 4);
            b[at] = (byte)(address >> 24);
            b[at + 1] = (byte)(address >> 16);
            b[at + 2] = (byte)(address >> 8);
            b[at + 3] = (byte)address;
            return at + 4;
        }

        /// <param name="ttl">s (4500 for services, 120 for host records: RFC 6762 §10; at most 10 in legacy unicast answers).</param>
        /// <param name="flush">The cache-flush bit (RFC 6762 §10.2), for unique records in multicast answers.</param>
        static int WriteRecordHead(byte[] b, int at, int type, int ttl, bool flush)
        {
            at = Put16(b, at, type);
            at = Put16(b, at, flush ? 0x8000 | ClassIn : ClassIn);
            b[at] = (byte)(ttl >> 24); b[at + 1] = (byte)(ttl >> 16); b[at + 2] = (byte)(ttl >> 8); b[at + 3] = (byte)ttl;
            return at + 4;
        }

        // ---- names and helpers ----

        static int WriteName(byte[] b, int at, string name)
        {
            int start = 0;
            for (int i = 0; i <= name.Length; i++)
            {
                if (i < name.Length && name[i] != '.')
                    continue;
                int label = i - start;
                b[at++] = (byte)label;
                for (int c = start; c < i; c++)
                    b[at++] = (byte)name[c];
                start = i + 1;
            }
            b[at++] = 0;
            return at;
        }

        /// <summary>The position after the name at 'at' (compression pointers end a name), or -1.</summary>
        static int SkipName(byte[] b, int at, int end)
        {
            while (at < end)
            {
                int len = b[at];
                if (len == 0)
                    return at + 1;
                if ((len & 0xC0) == 0xC0)
                    return at + 2 <= end ? at + 2 : -1;
                if ((len & 0xC0) != 0)
                    return -1;
                at += 1 + len;
            }
            return -1;
        }

        /// <summary>Reads a possibly compressed name as dotted text; null if malformed or looping.</summary>
        static string ReadName(byte[] b, int at, int end)
        {
            char[] text = new char[255];
            int n = 0, jumps = 0, limit = end;
            while (true)
            {
                if (at >= limit)
                    return null;
                int len = b[at];
                if (len == 0)
                    break;
                if ((len & 0xC0) == 0xC0)
                {
                    if (at + 1 >= limit || ++jumps > 16)
                        return null;
                    at = (len & 0x3F) << 8 | b[at + 1];
                    limit = b.Length; // a pointer may point anywhere earlier in the message
                    continue;
                }
                if ((len & 0xC0) != 0 || at + 1 + len > limit || n + len + 1 > text.Length)
                    return null;
                if (n > 0)
                    text[n++] = '.';
                for (int i = 0; i < len; i++)
                    text[n++] = (char)b[at + 1 + i];
                at += 1 + len;
            }
            return new string(text, 0, n);
        }

        static string[] ReadText(byte[] b, int at, int end)
        {
            int count = 0;
            for (int p = at; p < end; p += 1 + b[p])
                count++;
            string[] entries = new string[count];
            int k = 0;
            while (at < end)
            {
                int len = b[at];
                if (at + 1 + len > end)
                    return null;
                char[] chars = new char[len];
                for (int i = 0; i < len; i++)
                    chars[i] = (char)b[at + 1 + i];
                entries[k++] = new string(chars);
                at += 1 + len;
            }
            return entries;
        }

        static int Get16(byte[] b, int at)
        {
            return b[at] << 8 | b[at + 1];
        }

        static int Put16(byte[] b, int at, int value)
        {
            b[at] = (byte)(value >> 8);
            b[at + 1] = (byte)value;
            return at + 2;
        }
    }
}
