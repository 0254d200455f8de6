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
            int length = Util.Utf8.Length(chars, MaxBytes);
            if (count == times.Length)
                DropOldest(); // the slot about to be reused
            while (count > 0 && used + length > MaxBytes)
                DropOldest();
            starts[next] = (short)head;
            length = Util.Utf8.Encode(chars, text, head, MaxBytes);
            head = (head + length) % MaxBytes;
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
            int slot = Slot(i);
            return Util.Utf8.Decode(text, starts[slot], lengths[slot]);
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
    }

    public delegate void LogWritten(long nowMs, string message);
}
