namespace ChargeManager.Distribution.Json
{
    public enum JsonKind
    {
        Null = 0,
        Bool = 1,
        Number = 2,
        String = 3,
        Array = 4,
        Object = 5,
    }

    /// <summary>A parsed JSON value. Objects keep their keys in document order; numbers keep whether they were integers.</summary>
    public sealed class JsonNode
    {
        public JsonKind Kind;
        /// <summary>Where the value starts in the document (bytes), for messages that name a line.</summary>
        public int Offset;
        public bool Bool;
        public long Integer;
        public bool IsInteger;
        public string Text;
        public string[] Keys;       // Object
        public JsonNode[] Items;    // Object values (parallel to Keys) or Array elements

        public int Count { get { return Items == null ? 0 : Items.Length; } }

        /// <summary>An object's member, or null.</summary>
        public JsonNode Get(string key)
        {
            if (Kind != JsonKind.Object)
                return null;
            for (int i = 0; i < Keys.Length; i++)
                if (Keys[i] == key)
                    return Items[i];
            return null;
        }

        public static string KindName(JsonKind kind)
        {
            switch (kind)
            {
                case JsonKind.Null: return "null";
                case JsonKind.Bool: return "a boolean";
                case JsonKind.Number: return "a number";
                case JsonKind.String: return "a string";
                case JsonKind.Array: return "an array";
                default: return "an object";
            }
        }
    }
}
