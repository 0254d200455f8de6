namespace ChargeManager.Distribution.Api.Auth
{
    /// <summary>
    /// MD5 (RFC 1321), for HTTP Digest authentication (RFC 7616/2617 with algorithm=MD5, what browsers and
    /// curl speak) only; it is not used for anything that needs collision resistance. nanoFramework's
    /// mscorlib has no System.Security.Cryptography, so the core carries its own (tested against RFC 1321's
    /// vectors and .NET's MD5).
    /// </summary>
    public static class Md5
    {
        static readonly int[] Shift =
        {
            7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
            5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
            4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
            6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
        };

        // floor(abs(sin(i + 1)) * 2^32), RFC 1321 §3.4
        static readonly uint[] K =
        {
            0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
            0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
            0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
            0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
            0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
            0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
            0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
            0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
        };

        /// <summary>The 16-byte digest of data[offset, offset + length).</summary>
        public static byte[] Hash(byte[] data, int offset, int length)
        {
            uint a0 = 0x67452301, b0 = 0xefcdab89, c0 = 0x98badcfe, d0 = 0x10325476;
            // Padding: 0x80, zeros, then the length in bits (little-endian, 64 bits), to a multiple of 64 bytes.
            int total = ((length + 8) / 64 + 1) * 64;
            byte[] block = new byte[64];
            uint[] m = new uint[16];
            long bits = (long)length * 8;
            for (int start = 0; start < total; start += 64)
            {
                for (int i = 0; i < 64; i++)
                {
                    int at = start + i;
                    byte b;
                    if (at < length)
                        b = data[offset + at];
                    else if (at == length)
                        b = 0x80;
                    else if (at >= total - 8)
                        b = (byte)(bits >> (8 * (at - (total - 8))));
                    else
                        b = 0;
                    block[i] = b;
                }
                for (int i = 0; i < 16; i++)
                    m[i] = (uint)(block[4 * i] | (block[4 * i + 1] << 8) | (block[4 * i + 2] << 16) | (block[4 * i + 3] << 24));
                uint a = a0, b1 = b0, c = c0, d = d0;
                for (int i = 0; i < 64; i++)
                {
                    uint f;
                    int g;
                    if (i < 16)
                    {
                        f = (b1 & c) | (~b1 & d);
                        g = i;
                    }
                    else if (i < 32)
                    {
                        f = (d & b1) | (~d & c);
                        g = (5 * i + 1) & 15;
                    }
                    else if (i < 48)
                    {
                        f = b1 ^ c ^ d;
                        g = (3 * i + 5) & 15;
                    }
                    else
                    {
                        f = c ^ (b1 | ~d);
                        g = (7 * i) & 15;
                    }
                    uint sum = a + f + K[i] + m[g];
                    a = d;
                    d = c;
                    c = b1;
                    b1 = b1 + ((sum << Shift[i]) | (sum >> (32 - Shift[i])));
                }
                a0 += a;
                b0 += b1;
                c0 += c;
                d0 += d;
            }
            byte[] digest = new byte[16];
            Put(digest, 0, a0);
            Put(digest, 4, b0);
            Put(digest, 8, c0);
            Put(digest, 12, d0);
            return digest;
        }

        static void Put(byte[] into, int at, uint v)
        {
            into[at] = (byte)v;
            into[at + 1] = (byte)(v >> 8);
            into[at + 2] = (byte)(v >> 16);
            into[at + 3] = (byte)(v >> 24);
        }

        /// <summary>MD5 of the text's UTF-8 bytes, as 32 lower-case hex digits (Digest's form, RFC 7616 §3.4.1).</summary>
        public static string HexOf(string text)
        {
            byte[] utf8 = new byte[text.Length * 3];
            int n = Utf8Text.Encode(text, utf8);
            return Hex(Hash(utf8, 0, n));
        }

        /// <summary>Lower-case hex of the bytes.</summary>
        public static string Hex(byte[] bytes)
        {
            const string digits = "0123456789abcdef";
            char[] c = new char[bytes.Length * 2];
            for (int i = 0; i < bytes.Length; i++)
            {
                c[2 * i] = digits[bytes[i] >> 4];
                c[2 * i + 1] = digits[bytes[i] & 15];
            }
            return new string(c);
        }
    }
}
