namespace ChargeManager.Distribution.Time
{
    /// <summary>
    /// SNTP client packets (RFC 4330): a 48-byte version-4 client request and the server's transmit
    /// timestamp read back as UTC. The pinned nanoFramework System.Net (1.11.47) has no Sntp class, so
    /// the device asks the server itself; the codec lives here to be tested on the desktop.
    /// </summary>
    public static class SntpPacket
    {
        public const int Length = 48;
        public const int Port = 123;
        /// <summary>Seconds from 1900-01-01 (NTP era 0) to 1970-01-01.</summary>
        const long EraOffsetS = 2208988800L;

        /// <summary>Writes a client request (LI 0, VN 4, mode 3) into the first 48 bytes; returns 48.</summary>
        public static int WriteRequest(byte[] b)
        {
            for (int i = 0; i < Length; i++)
                b[i] = 0;
            b[0] = 0x23;
            return Length;
        }

        /// <summary>
        /// Reads a server reply; false unless it is one (mode 4, stratum 1–15, not an alarm, a transmit
        /// timestamp set). <paramref name="utcMs"/>: ms since 1970 UTC. Timestamps below 2^31 s count
        /// as era 1 (after 2036-02-07), as RFC 4330 §3 suggests.
        /// </summary>
        public static bool ReadReply(byte[] b, int length, out long utcMs)
        {
            utcMs = 0;
            if (length < Length)
                return false;
            int mode = b[0] & 7, leap = b[0] >> 6, stratum = b[1];
            if (mode != 4 || leap == 3 || stratum < 1 || stratum > 15)
                return false;
            long seconds = ((long)b[40] << 24) | ((long)b[41] << 16) | ((long)b[42] << 8) | b[43];
            long fraction = ((long)b[44] << 24) | ((long)b[45] << 16) | ((long)b[46] << 8) | b[47];
            if (seconds == 0 && fraction == 0)
                return false;
            if (seconds < 0x80000000L)
                seconds += 0x100000000L; // era 1
            utcMs = (seconds - EraOffsetS) * 1000 + (fraction * 1000 >> 32);
            return true;
        }
    }
}
