using ChargeManager.Distribution.Discovery;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Tests.Link;
using Xunit;

namespace ChargeManager.Distribution.Tests.Discovery;

public class DnsMessageTests
{
    /// <summary>An answer as a WARP charger's responder would send it.</summary>
    public static byte[] Advertisement(string host, uint address, string enabled = "true", string version = "34127.5")
    {
        var b = new byte[512];
        string instance = "Charger " + host + "." + ChargerDiscovery.Service;
        int at = DnsMessage.WriteResponseHeader(b, 4);
        at = DnsMessage.WritePtr(b, at, ChargerDiscovery.Service, instance);
        at = DnsMessage.WriteSrv(b, at, instance, host + ".local", 34127);
        at = DnsMessage.WriteTxt(b, at, instance, new[] { "enabled=" + enabled, "display_name=My WARP", "version=" + version });
        at = DnsMessage.WriteA(b, at, host + ".local", address);
        return b[..at];
    }

    [Fact]
    public void TheQueryAsksForPtrRecordsOfTheWarpService()
    {
        var b = new byte[100];
        int n = ChargerDiscovery.WriteQuery(b);
        var expectedName = new byte[] { 11, (byte)'_', (byte)'t', (byte)'f', (byte)'-', (byte)'w', (byte)'a', (byte)'r', (byte)'p', (byte)'-', (byte)'c', (byte)'m',
            4, (byte)'_', (byte)'u', (byte)'d', (byte)'p', 5, (byte)'l', (byte)'o', (byte)'c', (byte)'a', (byte)'l', 0 };
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 }, b[..12]);
        Assert.Equal(expectedName, b[12..(12 + expectedName.Length)]);
        Assert.Equal(new byte[] { 0, 12, 0x80, 1 }, b[(12 + expectedName.Length)..n]);
    }

    [Fact]
    public void ReadsAnAdvertisementBack()
    {
        var message = new DnsMessage();
        var bytes = Advertisement("warp2-22oH", 0x0A000007);
        Assert.True(message.Read(bytes, bytes.Length));
        Assert.True(message.IsResponse);
        Assert.Equal(4, message.RecordCount);
        Assert.Equal("warp2-22oH.local", message.Target[1]);
        Assert.Equal(34127, message.Port[1]);
        Assert.Equal(new[] { "enabled=true", "display_name=My WARP", "version=34127.5" }, message.Text[2]);
        Assert.Equal(0x0A000007u, message.Address[3]);
    }

    [Fact]
    public void FollowsCompressionPointers_AndRejectsLoops()
    {
        // header, one answer: name = pointer to offset 12 where "a.local" is spelt in a question
        var b = new List<byte> { 0, 0, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0 };
        b.AddRange(new byte[] { 1, (byte)'a', 5, (byte)'l', (byte)'o', (byte)'c', (byte)'a', (byte)'l', 0, 0, 1, 0, 1 });
        b.AddRange(new byte[] { 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 10, 0, 4, 10, 0, 0, 9 });
        var message = new DnsMessage();
        Assert.True(message.Read(b.ToArray(), b.Count));
        Assert.Equal("a.local", message.Name[0]);
        Assert.Equal(0x0A000009u, message.Address[0]);

        var loop = b.ToArray();
        loop[25] = 0xC0; loop[26] = 25; // the answer's name points at itself
        Assert.False(message.Read(loop, loop.Length));
    }

    [Fact]
    public void RandomAndTruncatedMessagesNeverThrow()
    {
        var random = new Random(3);
        var message = new DnsMessage();
        var good = Advertisement("warp3-x", 1);
        int accepted = 0;
        for (int n = 0; n < 30_000; n++)
        {
            byte[] b = n % 2 == 0 ? new byte[random.Next(0, 300)] : (byte[])good.Clone();
            if (n % 2 == 0) random.NextBytes(b);
            else b[random.Next(b.Length)] ^= (byte)random.Next(1, 256);
            int length = n % 3 == 0 ? random.Next(0, b.Length + 1) : b.Length;
            if (message.Read(b, length)) accepted++;
        }
        Assert.InRange(accepted, 1, 29_999);
    }

    [Theory]
    [InlineData("true", "34127.5", ChargerDiscovery.Ok)]
    [InlineData("false", "34127.5", ChargerDiscovery.ManagementDisabled)]
    [InlineData("true", "34128.5", ChargerDiscovery.FirmwareMismatch)]
    [InlineData("true", "34127.0", ChargerDiscovery.FirmwareMismatch)]
    public void ChecksTheTxtEntriesAsWarpDoes(string enabled, string version, int expected)
    {
        Assert.Equal(expected, ChargerDiscovery.Check(new[] { "enabled=" + enabled, "display_name=x", "version=" + version }));
        Assert.Equal(ChargerDiscovery.NotACharger, ChargerDiscovery.Check(new[] { "enabled=true", "version=" + version }));
    }

    [Fact]
    public void AnAdvertisementResolvesTheMatchingConfiguredHostOnly_CaseInsensitive()
    {
        // mDNS names compare without regard to case (RFC 6762 §16); the config rejects two spellings of one name.
        var bench = new LinkBench("WARP2-22OH.local", "warp2-22oi.local", "10.0.0.9");
        var message = new DnsMessage();
        var bytes = Advertisement("warp2-22oH", 0x0A000007);
        message.Read(bytes, bytes.Length);
        Assert.Equal(1, ChargerDiscovery.Apply(message, bench.Link));
        Assert.Equal(0x0A000007u, bench.Link.Charger(0).Address);
        Assert.Equal(0u, bench.Link.Charger(1).Address);
    }
}
