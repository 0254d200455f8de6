using System.Collections;

namespace ChargeManager.Distribution.Json
{
    /// <summary>
    /// A strict JSON parser (RFC 8259) over UTF-8 bytes: no comments, no trailing commas, no duplicate
    /// keys, nothing after the value, nesting at most 16 deep. Errors say what and where, never throw.
    /// Small and allocation-light on purpose: it parses API bodies of a few KB, not a hot path.
    /// </summary>
    public sealed class JsonParser
    {
        const int MaxDepth = 16;
        byte[] b;
        int end, pos;
        string field; // the key whose value is being parsed, for error messages

        /// <summary>Why the last parse failed, or null.</summary>
        public string Error;

        public JsonNode Parse(byte[] buffer, int length)
        {
            b = buffer;
            end = length;
            pos = 0;
            Error = null;
            field = null;
            SkipSpace();
            JsonNode value = Value(0);
            if (value == null)
                return null;
            SkipSpace();
            if (pos != end)
                return Fail("unexpected text after the JSON value");
            return value;
        }

        JsonNode Fail(string what)
        {
            if (Error == null)
                Error = "invalid JSON at byte " + pos.ToString() + (field == null ? "" : " (in '" + field + "')") + ": " + what;
            return null;
        }

        void SkipSpace()
        {
            while (pos < end && (b[pos] == ' ' || b[pos] == '\t' || b[pos] == '\n' || b[pos] == '\r'))
                pos++;
        }

        bool Literal(string word)
        {
            if (pos + word.Length > end)
                return false;
            for (int i = 0; i < word.Length; i++)
                if (b[pos + i] != word[i])
                    return false;
            pos += word.Length;
            return true;
        }

        JsonNode Value(int depth)
        {
            int start = pos;
            JsonNode value = ValueAt(depth);
            if (value != null)
                value.Offset = start;
            return value;
        }

        JsonNode ValueAt(int depth)
        {
            if (pos >= end)
                return Fail("a value was expected");
            if (depth > MaxDepth)
                return Fail("nested too deeply");
            byte c = b[pos];
            JsonNode node = new JsonNode();
            switch (c)
            {
                case (byte)'{': return Object(depth);
                case (byte)'[': return Array(depth);
                case (byte)'"':
                    node.Kind = JsonKind.String;
                    node.Text = String();
                    return node.Text == null ? null : node;
                case (byte)'t':
                case (byte)'f':
                    node.Kind = JsonKind.Bool;
                    node.Bool = c == 't';
                    return Literal(c == 't' ? "true" : "false") ? node : Fail("true or false was expected");
                case (byte)'n':
                    return Literal("null") ? node : Fail("null was expected");
                default:
                    return Number();
            }
        }

        JsonNode Object(int depth)
        {
            pos++;
            ArrayList keys = new ArrayList();
            ArrayList values = new ArrayList();
            SkipSpace();
            if (pos < end && b[pos] == '}')
                pos++;
            else
            {
                while (true)
                {
                    SkipSpace();
                    if (pos >= end || b[pos] != '"')
                        return Fail("a key in double quotes was expected");
                    string key = String();
                    if (key == null)
                        return null;
                    if (keys.Contains(key))
                        return Fail("the key '" + key + "' appears twice");
                    SkipSpace();
                    if (pos >= end || b[pos] != ':')
                        return Fail("':' was expected after the key '" + key + "'");
                    pos++;
                    SkipSpace();
                    string outer = field;
                    field = key;
                    JsonNode value = Value(depth + 1);
                    if (value == null)
                        return null;
                    field = outer;
                    keys.Add(key);
                    values.Add(value);
                    SkipSpace();
                    if (pos < end && b[pos] == ',')
                    {
                        pos++;
                        continue;
                    }
                    if (pos < end && b[pos] == '}')
                    {
                        pos++;
                        break;
                    }
                    return Fail("',' or '}' was expected");
                }
            }
            JsonNode node = new JsonNode();
            node.Kind = JsonKind.Object;
            node.Keys = new string[keys.Count];
            node.Items = new JsonNode[keys.Count];
            for (int i = 0; i < keys.Count; i++)
            {
                node.Keys[i] = (string)keys[i];
                node.Items[i] = (JsonNode)values[i];
            }
            return node;
        }

        JsonNode Array(int depth)
        {
            pos++;
            ArrayList items = new ArrayList();
            SkipSpace();
            if (pos < end && b[pos] == ']')
                pos++;
            else
            {
                while (true)
                {
                    SkipSpace();
                    JsonNode value = Value(depth + 1);
                    if (value == null)
                        return null;
                    items.Add(value);
                    SkipSpace();
                    if (pos < end && b[pos] == ',')
                    {
                        pos++;
                        continue;
                    }
                    if (pos < end && b[pos] == ']')
                    {
                        pos++;
                        break;
                    }
                    return Fail("',' or ']' was expected");
                }
            }
            JsonNode node = new JsonNode();
            node.Kind = JsonKind.Array;
            node.Items = new JsonNode[items.Count];
            for (int i = 0; i < items.Count; i++)
                node.Items[i] = (JsonNode)items[i];
            return node;
        }

        JsonNode Number()
        {
            int start = pos;
            bool negative = false;
            if (b[pos] == '-')
            {
                negative = true;
                pos++;
            }
            if (pos >= end || b[pos] < '0' || b[pos] > '9')
                return Fail("a value was expected");
            if (b[pos] == '0' && pos + 1 < end && b[pos + 1] >= '0' && b[pos + 1] <= '9')
                return Fail("numbers must not have leading zeros");
            long value = 0;
            bool overflow = false;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9')
            {
                if (value > (long.MaxValue - 9) / 10)
                    overflow = true;
                else
                    value = value * 10 + (b[pos] - '0');
                pos++;
            }
            bool integer = true;
            if (pos < end && b[pos] == '.')
            {
                integer = false;
                pos++;
                if (pos >= end || b[pos] < '0' || b[pos] > '9')
                    return Fail("digits were expected after '.'");
                while (pos < end && b[pos] >= '0' && b[pos] <= '9')
                    pos++;
            }
            if (pos < end && (b[pos] == 'e' || b[pos] == 'E'))
            {
                integer = false;
                pos++;
                if (pos < end && (b[pos] == '+' || b[pos] == '-'))
                    pos++;
                if (pos >= end || b[pos] < '0' || b[pos] > '9')
                    return Fail("digits were expected in the exponent");
                while (pos < end && b[pos] >= '0' && b[pos] <= '9')
                    pos++;
            }
            JsonNode node = new JsonNode();
            node.Kind = JsonKind.Number;
            node.IsInteger = integer && !overflow;
            node.Integer = negative ? -value : value;
            node.Text = Ascii(start, pos);
            return node;
        }

        string Ascii(int from, int to)
        {
            char[] chars = new char[to - from];
            for (int i = from; i < to; i++)
                chars[i - from] = (char)b[i];
            return new string(chars);
        }

        /// <summary>Reads a string at pos (which is on the opening quote), decoding escapes and UTF-8.</summary>
        string String()
        {
            pos++;
            char[] chars = new char[16];
            int n = 0;
            while (true)
            {
                if (pos >= end)
                {
                    Fail("the string is not closed");
                    return null;
                }
                int c = b[pos++];
                if (c == '"')
                    break;
                if (c < 0x20)
                {
                    Fail("control characters must be escaped in strings");
                    return null;
                }
                if (c == '\\')
                {
                    if (pos >= end)
                    {
                        Fail("the string is not closed");
                        return null;
                    }
                    int e = b[pos++];
                    switch (e)
                    {
                        case '"': c = '"'; break;
                        case '\\': c = '\\'; break;
                        case '/': c = '/'; break;
                        case 'b': c = '\b'; break;
                        case 'f': c = '\f'; break;
                        case 'n': c = '\n'; break;
                        case 'r': c = '\r'; break;
                        case 't': c = '\t'; break;
                        case 'u':
                            c = Hex4();
                            if (c < 0)
                            {
                                Fail("\\u needs four hex digits");
                                return null;
                            }
                            c = Escaped(c);
                            if (c < 0)
                                return null;
                            break;
                        default:
                            Fail("unknown escape in a string");
                            return null;
                    }
                }
                else if (c >= 0x80)
                {
                    c = Utf8(c);
                    if (c < 0)
                        return null;
                }
                if (c > 0xFFFF)
                {
                    c -= 0x10000;
                    chars = Put(chars, n++, (char)(0xD800 + (c >> 10)));
                    c = 0xDC00 + (c & 0x3FF);
                }
                chars = Put(chars, n++, (char)c);
            }
            return new string(chars, 0, n);
        }

        static char[] Put(char[] chars, int at, char c)
        {
            if (at == chars.Length)
            {
                char[] bigger = new char[chars.Length * 2];
                for (int i = 0; i < chars.Length; i++)
                    bigger[i] = chars[i];
                chars = bigger;
            }
            chars[at] = c;
            return chars;
        }

        int Hex4()
        {
            if (pos + 4 > end)
                return -1;
            int v = 0;
            for (int i = 0; i < 4; i++)
            {
                int d = b[pos++];
                if (d >= '0' && d <= '9') d -= '0';
                else if (d >= 'a' && d <= 'f') d -= 'a' - 10;
                else if (d >= 'A' && d <= 'F') d -= 'A' - 10;
                else return -1;
                v = v * 16 + d;
            }
            return v;
        }

        /// <summary>
        /// A \\u escape as a code point: a high surrogate must be followed by an escaped low one (the
        /// pair is one code point); U+0000 and unpaired surrogates are rejected (-1, with the error), as
        /// they cannot be stored or served as valid UTF-8 (and nanoCLR's strings end at U+0000).
        /// </summary>
        int Escaped(int c)
        {
            if (c == 0)
            {
                Fail("U+0000 is not allowed in strings");
                return -1;
            }
            if (c >= 0xDC00 && c <= 0xDFFF)
            {
                Fail("unpaired surrogate \\u" + Hex(c) + " in a string");
                return -1;
            }
            if (c < 0xD800 || c > 0xDBFF)
                return c;
            int low = -1;
            if (pos + 6 <= end && b[pos] == '\\' && b[pos + 1] == 'u')
            {
                pos += 2;
                low = Hex4();
                if (low < 0)
                {
                    Fail("\\u needs four hex digits");
                    return -1;
                }
            }
            if (low < 0xDC00 || low > 0xDFFF)
            {
                Fail("unpaired surrogate \\u" + Hex(c) + " in a string");
                return -1;
            }
            return 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
        }

        /// <summary>Four upper-case hex digits.</summary>
        static string Hex(int c)
        {
            char[] h = new char[4];
            for (int i = 3; i >= 0; i--, c >>= 4)
                h[i] = (char)((c & 15) < 10 ? '0' + (c & 15) : 'A' + (c & 15) - 10);
            return new string(h);
        }

        /// <summary>
        /// One UTF-8 sequence after its first byte, strictly (RFC 3629): no overlong forms, no
        /// surrogates (ED A0..BF), nothing above U+10FFFF (F4 90.., F5..FF); -1 with the error otherwise.
        /// </summary>
        int Utf8(int first)
        {
            int extra, value, minimum;
            if (first >= 0xC2 && first <= 0xDF) { extra = 1; value = first & 0x1F; minimum = 0x80; }
            else if ((first & 0xF0) == 0xE0) { extra = 2; value = first & 0x0F; minimum = 0x800; }
            else if (first >= 0xF0 && first <= 0xF4) { extra = 3; value = first & 0x07; minimum = 0x10000; }
            else if (first == 0xC0 || first == 0xC1) { Fail("invalid UTF-8 in a string: overlong encoding"); return -1; }
            else { Fail("invalid UTF-8 in a string: byte 0x" + Hex(first).Substring(2) + " cannot start a character"); return -1; }
            for (int i = 0; i < extra; i++)
            {
                if (pos >= end || (b[pos] & 0xC0) != 0x80)
                {
                    Fail("invalid UTF-8 in a string: a character is cut short");
                    return -1;
                }
                value = (value << 6) | (b[pos++] & 0x3F);
            }
            if (value < minimum)
            {
                Fail("invalid UTF-8 in a string: overlong encoding");
                return -1;
            }
            if (value >= 0xD800 && value <= 0xDFFF)
            {
                Fail("invalid UTF-8 in a string: a surrogate (U+" + Hex(value) + ") encoded in UTF-8");
                return -1;
            }
            if (value > 0x10FFFF)
            {
                Fail("invalid UTF-8 in a string: above U+10FFFF");
                return -1;
            }
            return value;
        }
    }
}
