namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// The last few hundred messages, oldest dropped first: bounded memory on the device, by count and
    /// by text (at most <see cref="MaxChars"/> UTF-16 units in all). Measured on nanoCLR, 200 messages of
    /// about 80 characters held 31 KB on the 64-bit host (15 KB on a board) before the text bound.
    /// </summary>
    public sealed class EventLog
    {
        /// <summary>The most text the log keeps, in UTF-16 units (about 100 typical messages).</summary>
        public const int MaxChars = 8192;

        readonly string[] lines;
        readonly long[] times;
        int next, count, chars;

        public EventLog(int capacity)
        {
            lines = new string[capacity];
            times = new long[capacity];
        }

        /// <summary>Called for every message (the desktop prints them; the device writes them to its debug output).</summary>
        public event LogWritten Written;

        public int Count { get { return count; } }

        public void Add(long nowMs, string message)
        {
            if (message.Length > MaxChars)
                message = message.Substring(0, MaxChars);
            if (count == lines.Length)
                DropOldest(); // the slot about to be reused
            while (count > 0 && chars + message.Length > MaxChars)
                DropOldest();
            chars += message.Length;
            lines[next] = message;
            times[next] = nowMs;
            next = (next + 1) % lines.Length;
            if (count < lines.Length)
                count++;
            if (Written != null)
                Written(nowMs, message);
        }

        void DropOldest()
        {
            int oldest = (next - count + lines.Length) % lines.Length;
            chars -= lines[oldest].Length;
            lines[oldest] = null;
            count--;
        }

        /// <summary>The i-th message, oldest first.</summary>
        public string Line(int i)
        {
            return lines[(next - count + i + lines.Length) % lines.Length];
        }

        public long Time(int i)
        {
            return times[(next - count + i + lines.Length) % lines.Length];
        }
    }

    public delegate void LogWritten(long nowMs, string message);
}
