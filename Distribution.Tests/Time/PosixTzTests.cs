using ChargeManager.Distribution.Time;
using Xunit;

namespace ChargeManager.Distribution.Tests.Time;

/// <summary>The POSIX TZ parser against .NET's zone database (IANA) at and around the transitions.</summary>
public class PosixTzTests
{
    static PosixTz Parse(string tz)
    {
        var z = PosixTz.Parse(tz, out var error);
        Assert.True(z != null, tz + ": " + error);
        return z!;
    }

    static long Ms(int y, int mo, int d, int h, int mi, int s = 0) =>
        new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void Europe_switches_both_ways_at_one_utc()
    {
        var z = Parse("CET-1CEST,M3.5.0,M10.5.0/3");
        // 2026: last Sunday of March is the 29th, of October the 25th; both switches at 01:00 UTC.
        Assert.Equal(3600_000, z.OffsetMs(Ms(2026, 3, 29, 0, 59, 59)));
        Assert.Equal(7200_000, z.OffsetMs(Ms(2026, 3, 29, 1, 0)));
        Assert.Equal(7200_000, z.OffsetMs(Ms(2026, 10, 25, 0, 59, 59)));
        Assert.Equal(3600_000, z.OffsetMs(Ms(2026, 10, 25, 1, 0)));
        // local time of day: 01:59:59 → 03:00:00 in spring, 02:59:59 → 02:00:00 in autumn
        Assert.Equal((1 * 3600 + 59 * 60 + 59) * 1000L, z.TimeOfDayMs(Ms(2026, 3, 29, 0, 59, 59)));
        Assert.Equal(3 * 3600_000L, z.TimeOfDayMs(Ms(2026, 3, 29, 1, 0)));
        Assert.Equal((2 * 3600 + 59 * 60 + 59) * 1000L, z.TimeOfDayMs(Ms(2026, 10, 25, 0, 59, 59)));
        Assert.Equal(2 * 3600_000L, z.TimeOfDayMs(Ms(2026, 10, 25, 1, 0)));
    }

    [Theory]
    [InlineData("CET-1CEST,M3.5.0,M10.5.0/3", "Europe/Berlin")]
    [InlineData("EST5EDT,M3.2.0,M11.1.0", "America/New_York")]
    [InlineData("AEST-10AEDT,M10.1.0,M4.1.0/3", "Australia/Sydney")] // southern hemisphere: DST over the new year
    [InlineData("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", "Australia/Lord_Howe")] // half-hour DST, quoted names
    [InlineData("IST-5:30", "Asia/Kolkata")]
    [InlineData("GMT0BST,M3.5.0/1,M10.5.0", "Europe/London")]
    [InlineData("<-03>3", "America/Sao_Paulo")]
    public void Agrees_with_the_zone_database_every_hour_for_two_years(string tz, string iana)
    {
        var z = Parse(tz);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(iana);
        long from = Ms(2025, 1, 1, 0, 0), to = Ms(2027, 1, 1, 0, 0);
        int checkedHours = 0;
        for (long t = from; t < to; t += 1800_000)
        {
            var expected = (long)zone.GetUtcOffset(DateTimeOffset.FromUnixTimeMilliseconds(t)).TotalMilliseconds;
            Assert.True(expected == z.OffsetMs(t), $"{tz} at {DateTimeOffset.FromUnixTimeMilliseconds(t):u}: {z.OffsetMs(t)} != {expected}");
            checkedHours++;
        }
        Assert.True(checkedHours > 35000);
    }

    [Theory]
    [InlineData("UTC0", 0)]
    [InlineData("EST5", -5 * 3600)]
    [InlineData("<+0545>-5:45", 5 * 3600 + 45 * 60)]
    [InlineData("XXX-1YYY,J60,300/25", 3600)] // Julian and zero-based day rules, a time past midnight
    public void Parses_the_forms_posix_allows(string tz, int standardOffsetS)
    {
        Assert.Equal(standardOffsetS, Parse(tz).StandardOffsetS);
    }

    [Fact]
    public void Julian_rules_skip_february_29()
    {
        var z = Parse("AAA0BBB,J60/0,J300/0"); // J60 is 1 March in every year
        Assert.Equal(0, z.OffsetMs(Ms(2028, 2, 29, 23, 59, 59)));   // leap year: Feb 29 is not day 60
        Assert.Equal(3600_000, z.OffsetMs(Ms(2028, 3, 1, 0, 0)));
        var n = Parse("AAA0BBB,59/0,300/0"); // zero-based: day 59 is Feb 29 in a leap year
        Assert.Equal(3600_000, n.OffsetMs(Ms(2028, 2, 29, 0, 0)));
        Assert.Equal(0, n.OffsetMs(Ms(2027, 2, 28, 23, 0)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Europe/Berlin")]
    [InlineData("CE-1")]
    [InlineData("CET")]
    [InlineData("CET-1CEST")]            // DST without rules
    [InlineData("CET-1CEST,M3.5.0")]
    [InlineData("CET-1CEST,M13.5.0,M10.5.0/3")]
    [InlineData("CET-1CEST,M3.6.0,M10.5.0/3")]
    [InlineData("CET-1CEST,M3.5.7,M10.5.0/3")]
    [InlineData("CET-1CEST,M3.5.0,M10.5.0/168")]
    [InlineData("CET-25")]
    [InlineData("CET-1:60")]
    [InlineData("CET-1 ")]
    [InlineData("<CE>-1")]
    [InlineData("CET-1CEST,J0,J365")]
    [InlineData("CET-1CEST,366,1")]
    public void Rejects_what_is_not_a_posix_tz_string(string tz)
    {
        Assert.Null(PosixTz.Parse(tz, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Civil_dates_round_trip_and_format()
    {
        for (long d = -800000; d < 800000; d += 7)
        {
            Civil.CivilFromDays(d, out int y, out int m, out int day);
            Assert.Equal(d, Civil.DaysFromCivil(y, m, day));
        }
        Assert.Equal("2026-11-30 03:40:48", Civil.Format(Ms(2026, 11, 30, 3, 40, 48)));
        Assert.Equal(4, Civil.Weekday(0)); // Thursday
    }
}

public class SntpPacketTests
{
    [Fact]
    public void Request_and_reply()
    {
        var b = new byte[48];
        Assert.Equal(48, SntpPacket.WriteRequest(b));
        Assert.Equal(0x23, b[0]);
        // 2026-11-30 03:40:48.5 UTC as NTP: seconds since 1900 and a half fraction
        long unix = new DateTimeOffset(2026, 11, 30, 3, 40, 48, TimeSpan.Zero).ToUnixTimeSeconds();
        long ntp = unix + 2208988800L;
        b[0] = 0x24; b[1] = 2;
        b[40] = (byte)(ntp >> 24); b[41] = (byte)(ntp >> 16); b[42] = (byte)(ntp >> 8); b[43] = (byte)ntp; b[44] = 0x80;
        Assert.True(SntpPacket.ReadReply(b, 48, out long ms));
        Assert.Equal(unix * 1000 + 500, ms);
        Assert.False(SntpPacket.ReadReply(b, 47, out _));
        b[1] = 0; Assert.False(SntpPacket.ReadReply(b, 48, out _));   // kiss-o'-death
        b[1] = 2; b[0] = 0x23; Assert.False(SntpPacket.ReadReply(b, 48, out _)); // a request, not a reply
        b[0] = 0xE4; Assert.False(SntpPacket.ReadReply(b, 48, out _)); // alarm: not synchronised
        // era 1: 2040-01-01 wraps past 2^32 s since 1900
        long unix2040 = new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        long wrapped = (unix2040 + 2208988800L) & 0xFFFFFFFFL;
        b[0] = 0x24; b[40] = (byte)(wrapped >> 24); b[41] = (byte)(wrapped >> 16); b[42] = (byte)(wrapped >> 8); b[43] = (byte)wrapped; b[44] = 0;
        Assert.True(SntpPacket.ReadReply(b, 48, out ms));
        Assert.Equal(unix2040 * 1000, ms);
    }
}
