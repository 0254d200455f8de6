namespace ChargeManager.Distribution.Util
{
    /// <summary>
    /// ASCII case folding for protocol tokens (host names, HTTP header values, Digest parameters): those are
    /// compared without case by ASCII letters only (RFC 4343 for DNS names, RFC 9110 for tokens), and
    /// nanoFramework's string has no culture-free ordinal-ignore-case comparison.
    /// </summary>
    public static class Ascii
    {
        public static char Lower(char c)
        {
            return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
        }

        /// <summary>a and b are equal when ASCII letters are compared without case.</summary>
        public static bool EqualsIgnoreCase(string a, string b)
        {
            return a != null && EqualsIgnoreCase(a, 0, a.Length, b);
        }

        /// <summary>s[start, end) equals other when ASCII letters are compared without case.</summary>
        public static bool EqualsIgnoreCase(string s, int start, int end, string other)
        {
            if (other == null || end - start != other.Length)
                return false;
            for (int i = 0; i < other.Length; i++)
                if (Lower(s[start + i]) != Lower(other[i]))
                    return false;
            return true;
        }
    }
}
