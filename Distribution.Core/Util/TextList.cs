namespace ChargeManager.Distribution.Util
{
    /// <summary>
    /// A fixed-length list of strings kept as one char array: the configured hosts and names. On nanoCLR
    /// every string is its own heap object and every element of a string[] a heap block (24 B each on
    /// the 64-bit host, 12 B on the ESP32), so 64 hosts and 64 names as string[] took 9,624 B there;
    /// here they take the chars and two small arrays (measured by tools/NanoBench/PartsProbe.cs, see
    /// the README). A string is made when an item is read (<c>list[i]</c>): reading is for requests,
    /// log lines and resolutions, never per tick. A string[] converts implicitly (config literals).
    /// Items may be null (a list made with a length and not yet filled).
    /// </summary>
    public sealed class TextList
    {
        char[] text = new char[0];
        readonly int[] starts;
        readonly short[] lengths; // -1: null

        /// <param name="length">The number of items, all null until set.</param>
        public TextList(int length)
        {
            starts = new int[length];
            lengths = new short[length];
            for (int i = 0; i < length; i++)
                lengths[i] = -1;
        }

        public TextList(string[] items) : this(items == null ? 0 : items.Length)
        {
            if (items == null)
                return;
            int total = 0;
            for (int i = 0; i < items.Length; i++)
                if (items[i] != null)
                    total += items[i].Length;
            text = new char[total];
            int at = 0;
            for (int i = 0; i < items.Length; i++)
            {
                if (items[i] == null)
                    continue;
                char[] chars = items[i].ToCharArray(); // nanoCLR: its indexer is wrong beyond the BMP
                System.Array.Copy(chars, 0, text, at, chars.Length);
                starts[i] = at;
                lengths[i] = (short)chars.Length;
                at += chars.Length;
            }
        }

        public static implicit operator TextList(string[] items) { return new TextList(items); }

        /// <summary>The number of items (like an array's Length).</summary>
        public int Length { get { return lengths.Length; } }

        /// <summary>Item i as a new string (null if never set). Setting an item rebuilds the text (configuration only).</summary>
        public string this[int i]
        {
            get
            {
                int n = lengths[i];
                if (n < 0)
                    return null;
                return n == 0 ? "" : new string(text, starts[i], n);
            }
            set
            {
                string[] items = ToArray();
                items[i] = value;
                TextList fresh = new TextList(items);
                text = fresh.text;
                for (int k = 0; k < lengths.Length; k++)
                {
                    starts[k] = fresh.starts[k];
                    lengths[k] = fresh.lengths[k];
                }
            }
        }

        /// <summary>Writes item i as a JSON string value (null if never set) without making a string.</summary>
        public void WriteValue(Json.JsonWriter w, int i)
        {
            int n = lengths[i];
            if (n < 0)
                w.Value((string)null);
            else
                w.Value(text, starts[i], n);
        }

        /// <summary>A copy as an array of new strings.</summary>
        public string[] ToArray()
        {
            string[] items = new string[lengths.Length];
            for (int i = 0; i < items.Length; i++)
                items[i] = this[i];
            return items;
        }
    }
}
