using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Link;

/// <summary>
/// Random and mutated datagrams, from a configured charger's address and from strangers: nothing
/// throws, every datagram is counted exactly once, and no other charger's state changes.
/// </summary>
public class LinkFuzzTests(ITestOutputHelper output)
{
    static int Counted(ChargerLink link) => link.Accepted + link.Stale + link.Invalid + link.Unmanaged + link.FrozenUptime + link.ForeignUid;

    [Fact]
    public void OneHundredThousandBadDatagramsAreCountedAndDropped()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Run(1000, each: () => { bench.Answer(0); bench.Answer(1); });
        var healthy = bench.Group.Observations[1];
        var before = (healthy.State, healthy.AppliedCurrent, healthy.LastHeardMs, healthy.SupportedCurrent, healthy.ReportedPhases);
        int acceptedBefore = bench.Link.Charger(1).Accepted;
        int countedBefore = Counted(bench.Link.Charger(0));

        var random = new Random(20261124);
        var buffer = new byte[400];
        var valid = new byte[136];
        int fromCharger = 0, fromStrangers = 0;
        for (int n = 0; n < 120_000; n++)
        {
            int length;
            switch (n % 3)
            {
                case 0: // noise
                    length = random.Next(0, buffer.Length);
                    random.NextBytes(buffer.AsSpan(0, length));
                    break;
                case 1: // a valid packet with a few bytes flipped
                    length = bench.State(0, applied: random.Next(0, 40000)).Encode(valid, random.Next(1, 6));
                    valid.CopyTo(buffer, 0);
                    for (int k = random.Next(1, 4); k > 0; k--)
                        buffer[random.Next(length)] ^= (byte)(1 << random.Next(8));
                    break;
                default: // a valid header with a wrong length or a truncated body
                    length = bench.State(0).Encode(valid, 5);
                    valid.CopyTo(buffer, 0);
                    Wire.PutU16(buffer, PacketHeader.LengthOffset, random.Next(0, 300));
                    buffer[PacketHeader.VersionOffset] = (byte)random.Next(0, 12);
                    length = random.Next(0, 200);
                    break;
            }
            bool stranger = random.Next(10) == 0;
            uint ip = stranger ? (uint)random.Next() : bench.Addresses[0];
            int port = stranger && random.Next(2) == 0 ? random.Next(0, 65536) : GroupLink.ChargerPort;
            bool counted = ip == bench.Addresses[0] && port == GroupLink.ChargerPort;
            if (counted) fromCharger++; else if (ip != bench.Addresses[1] || port != GroupLink.ChargerPort) fromStrangers++;
            bench.Link.Receive(buffer, length, ip, port, bench.Now);
            if (n % 100 == 0)
            {
                bench.Now += 50;
                bench.Link.Tick(bench.Now, -1);
            }
        }

        var link = bench.Link.Charger(0);
        output.WriteLine($"from the charger: {fromCharger} (accepted {link.Accepted}, stale {link.Stale}, invalid {link.Invalid}, " +
            $"unmanaged {link.Unmanaged}, frozen {link.FrozenUptime}, foreign uid {link.ForeignUid}); from strangers: {fromStrangers}");
        Assert.Equal(fromCharger, Counted(link) - countedBefore);
        Assert.Equal(fromStrangers, bench.Link.UnknownSource);
        Assert.True(link.Invalid > 10_000 && link.Accepted > 100, "both paths were exercised");
        Assert.Equal(before, (healthy.State, healthy.AppliedCurrent, healthy.LastHeardMs, healthy.SupportedCurrent, healthy.ReportedPhases));
        Assert.Equal(acceptedBefore, bench.Link.Charger(1).Accepted);
    }
}
