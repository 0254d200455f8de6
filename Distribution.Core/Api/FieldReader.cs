using ChargeManager.Distribution.Json;

namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// Reads the members of one JSON object the way WARP's API does: every key must be there, no other
    /// key may be, types must match and integers must be in range (never clamped). The first problem
    /// is kept as a message that names the field; later reads are skipped.
    /// </summary>
    public sealed class FieldReader
    {
        JsonNode node;
        string path;
        public string Error;

        public FieldReader Begin(JsonNode objectNode, string objectPath, string[] allowedKeys)
        {
            node = objectNode;
            path = objectPath;
            if (Error != null)
                return this;
            if (objectNode == null || objectNode.Kind != JsonKind.Object)
            {
                Error = (path.Length == 0 ? "the body" : path) + " must be a JSON object";
                return this;
            }
            for (int i = 0; i < objectNode.Keys.Length && Error == null; i++)
            {
                bool known = false;
                for (int k = 0; k < allowedKeys.Length; k++)
                    known |= allowedKeys[k] == objectNode.Keys[i];
                if (!known)
                    Error = Describe() + " has unknown key '" + objectNode.Keys[i] + "'";
            }
            for (int k = 0; k < allowedKeys.Length && Error == null; k++)
                if (objectNode.Get(allowedKeys[k]) == null)
                    Error = Describe() + " is missing key '" + allowedKeys[k] + "'";
            return this;
        }

        string Describe()
        {
            return path.Length == 0 ? "JSON object" : "JSON object " + path;
        }

        string Field(string key)
        {
            return path.Length == 0 ? key : path + "." + key;
        }

        public bool Bool(string key)
        {
            JsonNode value = Value(key, JsonKind.Bool);
            return value != null && value.Bool;
        }

        public long Integer(string key, long minimum, long maximum)
        {
            JsonNode value = Value(key, JsonKind.Number);
            if (value == null)
                return 0;
            if (!value.IsInteger)
            {
                Error = Field(key) + " must be a whole number, not " + value.Text;
                return 0;
            }
            if (value.Integer < minimum)
                Error = Field(key) + ": " + value.Integer.ToString() + " is less than the allowed minimum of " + minimum.ToString();
            else if (value.Integer > maximum)
                Error = Field(key) + ": " + value.Integer.ToString() + " is more than the allowed maximum of " + maximum.ToString();
            return value.Integer;
        }

        public string Text(string key, int maximumLength)
        {
            JsonNode value = Value(key, JsonKind.String);
            if (value == null)
                return "";
            if (Utf8Length(value.Text) > maximumLength)
                Error = Field(key) + " is longer than " + maximumLength.ToString() + " bytes (UTF-8)";
            return value.Text;
        }

        /// <summary>Bytes of the text in UTF-8: WARP's string limits count bytes (Config::Str), so a config that
        /// fits here fits a WARP. By code points (ToCharArray: nanoCLR's string indexer garbles surrogate pairs).</summary>
        public static int Utf8Length(string text)
        {
            return Util.Utf8.Length(text.ToCharArray(), int.MaxValue);
        }

        public JsonNode Array(string key, int maximumCount)
        {
            JsonNode value = Value(key, JsonKind.Array);
            if (value != null && value.Count > maximumCount)
                Error = Field(key) + " has " + value.Count.ToString() + " entries, at most " + maximumCount.ToString() + " are allowed";
            return value;
        }

        JsonNode Value(string key, JsonKind kind)
        {
            if (Error != null || node == null)
                return null;
            JsonNode value = node.Get(key);
            if (value == null)
                return null;
            if (value.Kind != kind)
            {
                Error = Field(key) + " must be " + JsonNode.KindName(kind) + ", not " + JsonNode.KindName(value.Kind);
                return null;
            }
            return value;
        }
    }
}
