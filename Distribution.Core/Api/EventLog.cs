using ChargeManager.Distribution.Json;

namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// The last messages, oldest dropped first: bounded memory on the device, by count and by text (at
    /// most <see cref="MaxBytes"/> bytes of UTF-8 in all). The text is kept as UTF-8 in one byte ring
    /// allocated at construction, and a string is made only when a message is read (<see cref="Line"/>);
    /// the API serves the bytes as they are (<see cref="WriteLine"/>). Measured on nanoCLR (64-bit host),
    /// the earlier log of strings took 6,960 B empty and 19,632 B full (8,192 UTF-16 units of text).
    /// </summary>
    public sealed class EventLog
    {
        /// <summary>The most text the log keeps, in bytes of UTF-8 (about 55 typical messages of 75 characters).</summary>
        public const int MaxBytes = 4096;

        readonly byte[] text = new byte[MaxBytes];
        readonly long[] times;
        readonly short[] starts;   // where message k begins in the ring
        readonly short[] lengths;  // its bytes
        int next, count, used, head; // next message slot, messages held, bytes held, where the next text goes

        public EventLog(int capacity)
        {
            times = new long[capacity];
            starts = new short[capacity];
            lengths = new short[capacity];
        }

        /// <summary>Called for every message (the desktop prints them; the device writes them to its debug output).</summary>
        public event LogWritten Written;

        public int Count { get { return count; } }

        /// <summary>Adds a message; text beyond <see cref="MaxBytes"/> bytes of UTF-8 is cut at a character boundary.</summary>
        public void Add(long nowMs, string message)
        {
            char[] chars = message.ToCharArray(); // nanoCLR: by code points (its indexer walks the string)
            int length = Utf8Length(chars);
            if (count == times.Length)
                DropOldest(); // the slot about to be reused
            while (count > 0 && used + length > MaxBytes)
                DropOldest();
            starts[next] = (short)head;
            length = Encode(chars);
            lengths[next] = (short)length;
            used += length;
            times[next] = nowMs;
            next = (next + 1) % times.Length;
            count++;
            if (Written != null)
                Written(nowMs, message);
        }

        void DropOldest()
        {
            int oldest = (next - count + times.Length) % times.Length;
            used -= lengths[oldest];
            count--;
        }

        int Slot(int i)
        {
            return (next - count + i + times.Length) % times.Length;
        }

        /// <summary>The i-th message, oldest first (made from its UTF-8 bytes: allocates).</summary>
        public string Line(int i)
        {
            int slot = Slot(i), start = starts[slot], length = lengths[slot];
            char[] chars = new char[length]; // UTF-16 units never outnumber UTF-8 bytes
            int n = 0;
            for (int k = 0; k < length; k++)
            {
                int c = text[(start + k) % MaxBytes];
                if (c >= 0x80)
                {
                    int extra = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : 3;
                    c &= 0x3F >> extra;
                    for (int e = 0; e < extra && k + 1 < length; e++)
                        c = (c << 6) | (text[(start + ++k) % MaxBytes] & 0x3F);
                    if (c > 0xFFFF)
                    {
                        c -= 0x10000;
                        chars[n++] = (char)(0xD800 + (c >> 10));
                        c = 0xDC00 + (c & 0x3FF);
                    }
                }
                chars[n++] = (char)c;
            }
            return new string(chars, 0, n);
        }

        public long Time(int i)
        {
            return times[Slot(i)];
        }

        /// <summary>The i-th message as a JSON string value, from its bytes (allocates nothing).</summary>
        public void WriteLine(JsonWriter w, int i)
        {
            int slot = Slot(i);
            w.Value(text, starts[slot], lengths[slot]);
        }

        /// <summary>UTF-8 bytes of the message, at most <see cref="MaxBytes"/> (cut at a character boundary).</summary>
        static int Utf8Length(char[] chars)
        {
            int length = 0;
            for (int i = 0; i < chars.Length; i++)
            {
                int c = chars[i], bytes = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
                if (c >= 0xD800 && c <= 0xDBFF && i + 1 < chars.Length && chars[i + 1] >= 0xDC00 && chars[i + 1] <= 0xDFFF)
                {
                    bytes = 4;
                    i++;
                }
                if (length + bytes > MaxBytes)
                    break;
                length += bytes;
            }
            return length;
        }

        /// <summary>Writes the message at <c>head</c> (wrapping), at most <see cref="MaxBytes"/>; returns its bytes. A lone surrogate becomes U+FFFD.</summary>
        int Encode(char[] chars)
        {
            int length = 0;
            for (int i = 0; i < chars.Length; i++)
            {
                int c = chars[i];
                if (c >= 0xD800 && c <= 0xDFFF)
                {
                    int low = c <= 0xDBFF && i + 1 < chars.Length ? chars[i + 1] : 0;
                    if (low >= 0xDC00 && low <= 0xDFFF)
                    {
                        c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
                        i++;
                    }
                    else
                        c = 0xFFFD;
                }
                int bytes = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
                if (length + bytes > MaxBytes)
                    break;
                length += bytes;
                if (bytes == 1)
                    Put(c);
                else if (bytes == 2)
                {
                    Put(0xC0 | (c >> 6));
                    Put(0x80 | (c & 0x3F));
                }
                else if (bytes == 3)
                {
                    Put(0xE0 | (c >> 12));
                    Put(0x80 | ((c >> 6) & 0x3F));
                    Put(0x80 | (c & 0x3F));
                }
                else
                {
                    Put(0xF0 | (c >> 18));
                    Put(0x80 | ((c >> 12) & 0x3F));
                    Put(0x80 | ((c >> 6) & 0x3F));
                    Put(0x80 | (c & 0x3F));
                }
            }
            return length;
        }

        void Put(int b)
        {
            text[head] = (byte)b;
            head = (head + 1) % MaxBytes;
        }
    }

    public delegate void LogWritten(long nowMs, string message);
}
