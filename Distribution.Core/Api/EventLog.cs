namespace ChargeManager.Distribution.Api
{
    /// <summary>The last few hundred messages, oldest dropped first: bounded memory on the device.</summary>
    public sealed class EventLog
    {
        readonly string[] lines;
        readonly long[] times;
        int next, count;

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
            lines[next] = message;
            times[next] = nowMs;
            next = (next + 1) % lines.Length;
            if (count < lines.Length)
                count++;
            if (Written != null)
                Written(nowMs, message);
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
