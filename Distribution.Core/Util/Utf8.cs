namespace ChargeManager.Distribution.Util
{
    /// <summary>
    /// UTF-8 both ways, for the places that hold text as bytes: the event log's ring, the JSON writer's
    /// buffer, plain-text replies. mscorlib on nanoFramework has no Encoding, and its string indexer
    /// misreads text outside the BMP, so text is read through <c>ToCharArray()</c>. A buffer is a ring:
    /// positions wrap at its length (a plain array from 0 never wraps).
    /// </summary>
    public static class Utf8
    {
        /// <summary>
        /// Encodes <paramref name="chars"/> into the ring <paramref name="into"/> from <paramref name="at"/>,
        /// at most <paramref name="maxBytes"/> bytes, cut at a character boundary; returns the bytes written.
        /// A lone surrogate becomes U+FFFD.
        /// </summary>
        public static int Encode(char[] chars, byte[] into, int at, int maxBytes)
        {
            int length = 0, size = into.Length;
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
                if (length + bytes > maxBytes)
                    break;
                int p = (at + length) % size;
                length += bytes;
                if (bytes == 1)
                {
                    into[p] = (byte)c;
                    continue;
                }
                // The lead byte: 110xxxxx, 1110xxxx or 11110xxx; then 10xxxxxx from the highest bits down.
                into[p] = (byte)((bytes == 2 ? 0xC0 : bytes == 3 ? 0xE0 : 0xF0) | (c >> (6 * (bytes - 1))));
                for (int k = bytes - 2; k >= 0; k--)
                {
                    p = (p + 1) % size;
                    into[p] = (byte)(0x80 | ((c >> (6 * k)) & 0x3F));
                }
            }
            return length;
        }

        /// <summary>
        /// The bytes <see cref="Encode"/> writes for <paramref name="chars"/>, at most <paramref name="maxBytes"/>
        /// (cut at a character boundary). WARP's string limits count these bytes (Config::Str).
        /// </summary>
        public static int Length(char[] chars, int maxBytes)
        {
            int length = 0;
            for (int i = 0; i < chars.Length; i++)
            {
                int c = chars[i], bytes = c < 0x80 ? 1 : c < 0x800 ? 2 : 3; // a lone surrogate: U+FFFD, 3 bytes
                if (c >= 0xD800 && c <= 0xDBFF && i + 1 < chars.Length && chars[i + 1] >= 0xDC00 && chars[i + 1] <= 0xDFFF)
                {
                    bytes = 4;
                    i++;
                }
                if (length + bytes > maxBytes)
                    break;
                length += bytes;
            }
            return length;
        }

        /// <summary>The text of <paramref name="length"/> bytes of valid UTF-8 in the ring <paramref name="bytes"/> from <paramref name="start"/> (allocates the string).</summary>
        public static string Decode(byte[] bytes, int start, int length)
        {
            int size = bytes.Length;
            char[] chars = new char[length]; // UTF-16 units never outnumber UTF-8 bytes
            int n = 0;
            for (int k = 0; k < length; k++)
            {
                int c = bytes[(start + k) % size];
                if (c >= 0x80)
                {
                    int extra = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : 3;
                    c &= 0x3F >> extra;
                    for (int e = 0; e < extra && k + 1 < length; e++)
                        c = (c << 6) | (bytes[(start + ++k) % size] & 0x3F);
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
    }
}
