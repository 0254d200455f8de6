namespace ChargeManager.Distribution.Time
{
    /// <summary>
    /// A POSIX TZ string (IEEE Std 1003.1, §8.3 "TZ"; the form glibc and ESP-IDF take, e.g.
    /// "CET-1CEST,M3.5.0,M10.5.0/3"): standard name and offset, optionally a daylight-saving name,
    /// offset (default one hour ahead of standard) and the rules for when it starts and ends (Mm.w.d,
    /// Jn or n, each with an optional /time, default 02:00; times up to ±167 h as RFC 8536 allows).
    /// nanoFramework has no time-zone database or TimeZoneInfo, so the core turns UTC into local time
    /// itself. A daylight-saving name without rules is rejected (POSIX leaves the rules to the
    /// implementation). Offsets in the string are west-positive, as POSIX has them; everything this
    /// class returns is east-positive (local = UTC + offset).
    /// </summary>
    public sealed class PosixTz
    {
        public const long DayMs = 86400000L;

        /// <summary>Standard time's offset from UTC, s (east-positive: CET is +3600).</summary>
        public int StandardOffsetS;
        /// <summary>Daylight-saving time's offset from UTC, s; equal to the standard offset without DST.</summary>
        public int DaylightOffsetS;
        public bool HasDaylight;

        // Rule kinds: 'M' month.week.day, 'J' Julian day 1–365 without Feb 29, 'N' zero-based day 0–365.
        char startKind, endKind;
        int startA, startB, startC, endA, endB, endC;
        int startTimeS = 7200, endTimeS = 7200;

        /// <summary>Parses a TZ string; null with <paramref name="error"/> saying what is wrong.</summary>
        public static PosixTz Parse(string text, out string error)
        {
            error = null;
            if (text == null || text.Length == 0)
            {
                error = "is empty";
                return null;
            }
            PosixTz z = new PosixTz();
            int i = 0;
            int offset;
            if (!ReadName(text, ref i))
            {
                error = "needs a standard time name of at least 3 letters (or <...>) at the start";
                return null;
            }
            if (!ReadTime(text, ref i, 24, out offset))
            {
                error = "needs the standard offset after the name, like 'CET-1' or 'EST5' (hours west of UTC)";
                return null;
            }
            z.StandardOffsetS = -offset;
            z.DaylightOffsetS = z.StandardOffsetS;
            if (i == text.Length)
                return z;
            if (!ReadName(text, ref i))
            {
                error = "has something other than a daylight-saving time name at position " + i.ToString();
                return null;
            }
            z.HasDaylight = true;
            z.DaylightOffsetS = z.StandardOffsetS + 3600;
            if (i < text.Length && text[i] != ',')
            {
                if (!ReadTime(text, ref i, 24, out offset))
                {
                    error = "has a bad daylight-saving offset at position " + i.ToString();
                    return null;
                }
                z.DaylightOffsetS = -offset;
            }
            if (i == text.Length)
            {
                error = "needs the rules for daylight-saving time, like ',M3.5.0,M10.5.0/3'";
                return null;
            }
            i++; // ','
            if (!z.ReadRule(text, ref i, true) || i >= text.Length || text[i] != ',')
            {
                error = "has a bad rule for the start of daylight-saving time (Mm.w.d[/time], Jn or n)";
                return null;
            }
            i++;
            if (!z.ReadRule(text, ref i, false) || i != text.Length)
            {
                error = "has a bad rule for the end of daylight-saving time (Mm.w.d[/time], Jn or n)";
                return null;
            }
            return z;
        }

        static bool IsLetter(char c)
        {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        }

        static bool IsDigit(char c)
        {
            return c >= '0' && c <= '9';
        }

        static bool ReadName(string s, ref int i)
        {
            int start = i;
            if (i < s.Length && s[i] == '<')
            {
                i++;
                while (i < s.Length && (IsLetter(s[i]) || IsDigit(s[i]) || s[i] == '+' || s[i] == '-'))
                    i++;
                if (i >= s.Length || s[i] != '>' || i - start - 1 < 3)
                    return false;
                i++;
                return true;
            }
            while (i < s.Length && IsLetter(s[i]))
                i++;
            return i - start >= 3;
        }

        static bool ReadNumber(string s, ref int i, int maximum, out int value)
        {
            value = 0;
            int start = i;
            while (i < s.Length && IsDigit(s[i]) && i - start < 3)
                value = value * 10 + (s[i++] - '0');
            return i > start && value <= maximum;
        }

        /// <summary>[+|-]hh[:mm[:ss]] in seconds; hours up to <paramref name="maxHours"/>.</summary>
        static bool ReadTime(string s, ref int i, int maxHours, out int seconds)
        {
            seconds = 0;
            int sign = 1;
            if (i < s.Length && (s[i] == '+' || s[i] == '-'))
                sign = s[i++] == '-' ? -1 : 1;
            int h, m = 0, sec = 0;
            if (!ReadNumber(s, ref i, maxHours, out h))
                return false;
            if (i < s.Length && s[i] == ':')
            {
                i++;
                if (!ReadNumber(s, ref i, 59, out m))
                    return false;
                if (i < s.Length && s[i] == ':')
                {
                    i++;
                    if (!ReadNumber(s, ref i, 59, out sec))
                        return false;
                }
            }
            seconds = sign * (h * 3600 + m * 60 + sec);
            return true;
        }

        bool ReadRule(string s, ref int i, bool start)
        {
            char kind;
            int a = 0, b = 0, c = 0;
            if (i < s.Length && s[i] == 'M')
            {
                kind = 'M';
                i++;
                if (!ReadNumber(s, ref i, 12, out a) || a < 1 || i >= s.Length || s[i++] != '.'
                    || !ReadNumber(s, ref i, 5, out b) || b < 1 || i >= s.Length || s[i++] != '.'
                    || !ReadNumber(s, ref i, 6, out c))
                    return false;
            }
            else if (i < s.Length && s[i] == 'J')
            {
                kind = 'J';
                i++;
                if (!ReadNumber(s, ref i, 365, out a) || a < 1)
                    return false;
            }
            else
            {
                kind = 'N';
                if (!ReadNumber(s, ref i, 365, out a))
                    return false;
            }
            int time = 7200;
            if (i < s.Length && s[i] == '/' )
            {
                i++;
                if (!ReadTime(s, ref i, 167, out time))
                    return false;
            }
            if (start)
            {
                startKind = kind; startA = a; startB = b; startC = c; startTimeS = time;
            }
            else
            {
                endKind = kind; endA = a; endB = b; endC = c; endTimeS = time;
            }
            return true;
        }

        /// <summary>Local time minus UTC at the instant <paramref name="utcMs"/> (ms since 1970-01-01 UTC), ms.</summary>
        public long OffsetMs(long utcMs)
        {
            if (!HasDaylight)
                return StandardOffsetS * 1000L;
            int year = Civil.YearOf(utcMs + StandardOffsetS * 1000L);
            // The start is given in standard time, the end in daylight-saving time (POSIX).
            long startUtc = RuleDay(year, startKind, startA, startB, startC) * DayMs + (startTimeS - (long)StandardOffsetS) * 1000L;
            long endUtc = RuleDay(year, endKind, endA, endB, endC) * DayMs + (endTimeS - (long)DaylightOffsetS) * 1000L;
            bool daylight = startUtc < endUtc
                ? utcMs >= startUtc && utcMs < endUtc
                : utcMs < endUtc || utcMs >= startUtc; // southern hemisphere: DST spans the new year
            return (daylight ? DaylightOffsetS : StandardOffsetS) * 1000L;
        }

        /// <summary>Local wall-clock time as ms since 1970-01-01 00:00 local.</summary>
        public long LocalMs(long utcMs)
        {
            return utcMs + OffsetMs(utcMs);
        }

        /// <summary>Local time of day, ms since local midnight (0 … 86,399,999).</summary>
        public long TimeOfDayMs(long utcMs)
        {
            long t = LocalMs(utcMs) % DayMs;
            return t < 0 ? t + DayMs : t;
        }

        /// <summary>Days since 1970-01-01 of a rule's day in that year.</summary>
        static long RuleDay(int year, char kind, int a, int b, int c)
        {
            long jan1 = Civil.DaysFromCivil(year, 1, 1);
            if (kind == 'N')
                return jan1 + a;
            if (kind == 'J')
                return jan1 + a - 1 + (Civil.IsLeap(year) && a >= 60 ? 1 : 0); // Feb 29 is never counted
            long first = Civil.DaysFromCivil(year, a, 1);
            long day = first + (c - Civil.Weekday(first) + 7) % 7 + (b - 1) * 7L;
            int length = Civil.DaysInMonth(year, a);
            while (day >= first + length)
                day -= 7; // week 5: the last such weekday of the month
            return day;
        }
    }

    /// <summary>Proleptic Gregorian calendar arithmetic on days since 1970-01-01 (H. Hinnant's algorithms), no DateTime.</summary>
    public static class Civil
    {
        public static bool IsLeap(int y)
        {
            return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        }

        public static int DaysInMonth(int y, int m)
        {
            if (m == 2)
                return IsLeap(y) ? 29 : 28;
            return m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
        }

        public static long DaysFromCivil(int y, int m, int d)
        {
            long year = m <= 2 ? y - 1 : y;
            long era = (year >= 0 ? year : year - 399) / 400;
            long yoe = year - era * 400;
            long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
            long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            return era * 146097 + doe - 719468;
        }

        /// <summary>Year, month (1–12), day (1–31) of a day number.</summary>
        public static void CivilFromDays(long z, out int y, out int m, out int d)
        {
            z += 719468;
            long era = (z >= 0 ? z : z - 146096) / 146097;
            long doe = z - era * 146097;
            long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
            long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            long mp = (5 * doy + 2) / 153;
            d = (int)(doy - (153 * mp + 2) / 5 + 1);
            m = (int)(mp < 10 ? mp + 3 : mp - 9);
            y = (int)(yoe + era * 400 + (m <= 2 ? 1 : 0));
        }

        /// <summary>0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday).</summary>
        public static int Weekday(long days)
        {
            long w = (days + 4) % 7;
            return (int)(w < 0 ? w + 7 : w);
        }

        public static long FloorDays(long ms)
        {
            long d = ms / PosixTz.DayMs;
            return ms < 0 && d * PosixTz.DayMs != ms ? d - 1 : d;
        }

        public static int YearOf(long ms)
        {
            int y, m, d;
            CivilFromDays(FloorDays(ms), out y, out m, out d);
            return y;
        }

        /// <summary>"YYYY-MM-DD hh:mm:ss" of ms since 1970 (in whatever zone the ms count).</summary>
        public static string Format(long ms)
        {
            long days = FloorDays(ms);
            int y, m, d;
            CivilFromDays(days, out y, out m, out d);
            long s = (ms - days * PosixTz.DayMs) / 1000;
            return y.ToString() + "-" + Two(m) + "-" + Two(d) + " " + Two((int)(s / 3600)) + ":" + Two((int)(s / 60 % 60)) + ":" + Two((int)(s % 60));
        }

        static string Two(int v)
        {
            return v < 10 ? "0" + v.ToString() : v.ToString();
        }
    }
}
