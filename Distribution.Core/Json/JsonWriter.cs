namespace ChargeManager.Distribution.Json
{
    /// <summary>
    /// Writes compact JSON as UTF-8 into one reusable buffer, keys in the order they are written.
    /// After the first document of a size, writing the same again allocates nothing (numbers are
    /// written digit by digit, not through ToString).
    /// </summary>
    public sealed class JsonWriter
    {
        const int MaxDepth = 16;
        /// <summary>How much a full buffer grows by, bytes.</summary>
        public const int GrowBytes = 2048;
        byte[] buffer;
        int length;
        readonly bool[] hasItems = new bool[MaxDepth + 1];
        int depth;
        bool afterName;

        public JsonWriter(int capacity)
        {
            buffer = new byte[capacity];
        }

        public byte[] Buffer { get { return buffer; } }
        public int Length { get { return length; } }

        public void Reset()
        {
            length = 0;
            depth = 0;
            afterName = false;
            hasItems[0] = false;
        }

        public JsonWriter BeginObject() { Separate(); Put('{'); Open(); return this; }
        public JsonWriter EndObject() { depth--; Put('}'); return this; }
        public JsonWriter BeginArray() { Separate(); Put('['); Open(); return this; }
        public JsonWriter EndArray() { depth--; Put(']'); return this; }

        public JsonWriter Name(string name)
        {
            Separate();
            Quoted(name);
            Put(':');
            afterName = true;
            return this;
        }

        public JsonWriter Value(long value)
        {
            Separate();
            if (value < 0)
            {
                Put('-');
                if (value == long.MinValue)
                {
                    Raw("9223372036854775808");
                    return this;
                }
                value = -value;
            }
            int start = length;
            do
            {
                Put((char)('0' + (int)(value % 10)));
                value /= 10;
            }
            while (value > 0);
            for (int i = start, j = length - 1; i < j; i++, j--)
            {
                byte t = buffer[i];
                buffer[i] = buffer[j];
                buffer[j] = t;
            }
            return this;
        }

        public JsonWriter Value(bool value)
        {
            Separate();
            Raw(value ? "true" : "false");
            return this;
        }

        public JsonWriter Value(string value)
        {
            Separate();
            if (value == null)
                Raw("null");
            else
                Quoted(value);
            return this;
        }

        /// <summary>
        /// A string value from UTF-8 bytes kept in a ring (<paramref name="start"/> wraps at the ring's end),
        /// e.g. the event log's text: quotes, backslashes and control characters are escaped, the rest copied.
        /// </summary>
        public JsonWriter Value(byte[] ring, int start, int length)
        {
            Separate();
            Put('"');
            for (int k = 0; k < length; k++)
            {
                int b = ring[(start + k) % ring.Length];
                if (b == '"' || b == '\\')
                {
                    Put('\\');
                    PutByte(b);
                }
                else if (b < 0x20)
                {
                    Raw("\\u00");
                    Put(HexDigit(b >> 4));
                    Put(HexDigit(b & 15));
                }
                else
                    PutByte(b);
            }
            Put('"');
            return this;
        }

        public JsonWriter Null()
        {
            Separate();
            Raw("null");
            return this;
        }

        public JsonWriter Property(string name, long value) { return Name(name).Value(value); }
        public JsonWriter Property(string name, bool value) { return Name(name).Value(value); }
        public JsonWriter Property(string name, string value) { return Name(name).Value(value); }

        /// <summary>The document as a string (for tests, logs and MQTT payloads on the desktop).</summary>
        public override string ToString()
        {
            return Util.Utf8.Decode(buffer, 0, length);
        }

        void Open()
        {
            depth++;
            hasItems[depth] = false;
        }

        void Separate()
        {
            if (afterName)
            {
                afterName = false;
                return;
            }
            if (hasItems[depth])
                Put(',');
            hasItems[depth] = true;
        }

        /// <summary>Text up to this many UTF-16 units is indexed in place; longer text is copied once.</summary>
        const int IndexedText = 32;

        /// <summary>
        /// A string by code points. nanoCLR keeps strings as UTF-8: its indexer walks from the start
        /// (O(n²) over a string) and returns the high surrogate at a low surrogate's position, so
        /// long text and text outside the BMP go through one ToCharArray; short BMP text (names) is
        /// indexed and allocates nothing. A surrogate without its partner (only .NET can hold one; the
        /// parser rejects them) is written as U+FFFD, so the output is always valid UTF-8.
        /// </summary>
        void Quoted(string s)
        {
            Put('"');
            int n = s.Length;
            char[] chars = n > IndexedText ? s.ToCharArray() : null;
            for (int i = 0; i < n; i++)
            {
                int c = chars != null ? chars[i] : s[i];
                if (c >= 0xD800 && c <= 0xDFFF && chars == null)
                {
                    chars = s.ToCharArray();
                    c = chars[i];
                }
                i = Escaped(c, chars, i, n);
            }
            Put('"');
        }

        /// <summary>A string value from chars[start, start + length) (e.g. a <see cref="Util.TextList"/>'s item), escaped as <see cref="Value(string)"/> does.</summary>
        public JsonWriter Value(char[] chars, int start, int length)
        {
            Separate();
            Put('"');
            int end = start + length;
            for (int i = start; i < end; i++)
                i = Escaped(chars[i], chars, i, end);
            Put('"');
            return this;
        }

        /// <summary>Writes character c (at chars[i] when it is a surrogate) escaped; returns the index of its last UTF-16 unit.</summary>
        int Escaped(int c, char[] chars, int i, int n)
        {
            if (c == '"' || c == '\\')
            {
                Put('\\');
                Put((char)c);
            }
            else if (c < 0x20)
            {
                Raw("\\u00");
                Put(HexDigit(c >> 4));
                Put(HexDigit(c & 15));
            }
            else if (c < 0x80)
                Put((char)c);
            else
            {
                if (c >= 0xD800 && c <= 0xDFFF)
                {
                    int low = c <= 0xDBFF && i + 1 < n ? chars[i + 1] : 0;
                    if (low >= 0xDC00 && low <= 0xDFFF)
                    {
                        c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
                        i++;
                    }
                    else
                        c = 0xFFFD;
                }
                Utf8(c);
            }
            return i;
        }

        void Utf8(int c)
        {
            if (c < 0x800)
            {
                PutByte(0xC0 | (c >> 6));
                PutByte(0x80 | (c & 0x3F));
            }
            else if (c < 0x10000)
            {
                PutByte(0xE0 | (c >> 12));
                PutByte(0x80 | ((c >> 6) & 0x3F));
                PutByte(0x80 | (c & 0x3F));
            }
            else
            {
                PutByte(0xF0 | (c >> 18));
                PutByte(0x80 | ((c >> 12) & 0x3F));
                PutByte(0x80 | ((c >> 6) & 0x3F));
                PutByte(0x80 | (c & 0x3F));
            }
        }

        static char HexDigit(int d)
        {
            return (char)(d < 10 ? '0' + d : 'a' + d - 10);
        }

        void Raw(string s)
        {
            for (int i = 0; i < s.Length; i++)
                Put(s[i]);
        }

        void Put(char c)
        {
            PutByte(c);
        }

        void PutByte(int value)
        {
            if (length == buffer.Length)
            {
                // In steps of 2 KB, not doubling: the buffer stays near the largest document (at 64
                // chargers state is about 12 KB; doubling from 8 KB held 16 KB).
                byte[] bigger = new byte[buffer.Length + GrowBytes];
                for (int i = 0; i < length; i++)
                    bigger[i] = buffer[i];
                buffer = bigger;
            }
            buffer[length++] = (byte)value;
        }
    }
}
