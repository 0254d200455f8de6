using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Protocol;
using Xunit;

namespace ChargeManager.Distribution.Tests.Link;

public class GroupLinkTests
{
    static bool IsIgnore(byte[] command) => (command[10] & CommandPacket.FlagIgnoreAllocation) != 0;
    static int Current(byte[] command) => command[8] | command[9] << 8;

    [Fact]
    public void StartUp_IgnoreAllocationUntilEveryChargerAnswered_ThenRealCommands()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Run(1000);
        Assert.All(bench.Sent, s =>
        {
            Assert.True(IsIgnore(s.bytes));
            Assert.Equal(CommandPacket.IgnoredCurrent, Current(s.bytes));
            Assert.Equal(CommandPacket.ChargeModeDefault, s.bytes[12]);
            Assert.Equal(GroupLink.ChargerPort, s.port);
        });
        bench.Answer(0);
        bench.Run(500);
        Assert.False(bench.Link.StartupOver);
        bench.Answer(1);
        bench.Sent.Clear();
        bench.Run(100);
        Assert.True(bench.Link.StartupOver);
        Assert.Contains(bench.Sent, s => !IsIgnore(s.bytes) && Current(s.bytes) == 16000);
    }

    [Fact]
    public void AfterTheGracePeriod_AChargerNeverHeardGetsARealZero()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Run(1000, each: () => { if (bench.Now % 1000 == 0) bench.Answer(0); });
        bench.Run(29_500, each: () => { if (bench.Now % 1000 == 0) bench.Answer(0); });
        Assert.True(bench.Link.StartupOver);
        var last = bench.SentTo(1).Last();
        Assert.False(IsIgnore(last));
        Assert.Equal(0, Current(last));
    }

    [Fact]
    public void StartUp_AdoptsWhatTheChargersApply()
    {
        var bench = new LinkBench("10.0.0.2");
        bench.Deliver(0, bench.State(0, applied: 16000));
        Assert.Equal(16000, bench.Group.Allocations[0].Current);
        Assert.Equal(3, bench.Group.Allocations[0].Phases);
    }

    [Theory]
    [InlineData(1, 1, 12)]
    [InlineData(2, 1, 12)]
    [InlineData(3, 2, 12)]
    [InlineData(4, 3, 16)]
    [InlineData(5, 4, 20)]
    public void EachChargerGetsItsCommandVersion(int stateVersion, int commandVersion, int length)
    {
        var bench = new LinkBench("10.0.0.2");
        bench.Deliver(0, bench.State(0, version: stateVersion), stateVersion);
        bench.Sent.Clear();
        bench.Run(1500);
        Assert.All(bench.Sent, s =>
        {
            Assert.Equal(commandVersion, s.bytes[6]);
            Assert.Equal(length, s.bytes.Length);
        });
    }

    [Fact]
    public void KeepAlive_AboutOneCommandPerChargerPerSecond()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5");
        bench.Run(10_000);
        for (int i = 0; i < 4; i++)
            Assert.InRange(bench.SentTo(i).Count(), 9, 11);
    }

    [Fact]
    public void SequenceNumbersIncreasePerPacketAcrossChargers()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Run(3000);
        var seqs = bench.Sent.Select(s => s.bytes[4] | s.bytes[5] << 8).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count), seqs);
    }

    [Fact]
    public void AnUrgentStateIsAnsweredAtOnce_ButNotTwiceInARow()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Run(2000, each: () => { bench.Answer(0); bench.Answer(1); });
        bench.Sent.Clear();
        var urgent = bench.State(0);
        urgent.FeatureFlags = StatePacket.FeatureUrgent;
        bench.Deliver(0, urgent);
        bench.Run(50);
        Assert.Single(bench.SentTo(0));
        var again = bench.State(0);
        again.FeatureFlags = StatePacket.FeatureUrgent;
        bench.Deliver(0, again);
        bench.Sent.Clear();
        bench.Run(50);
        Assert.Empty(bench.SentTo(0));
    }

    [Fact]
    public void Case05_OnlyTheRightAddressAndPortCount()
    {
        var bench = new LinkBench("10.0.0.2");
        bench.Deliver(0, bench.State(0), port: 40000);
        HostName.TryParseIpv4("10.0.0.99", out uint stranger);
        bench.Deliver(0, bench.State(0), from: stranger);
        Assert.Equal(2, bench.Link.UnknownSource);
        Assert.False(bench.Link.Charger(0).Heard);
        bench.Deliver(0, bench.State(0));
        Assert.True(bench.Link.Charger(0).Heard);
    }

    [Fact]
    public void DuplicatesAreDropped_ARebootedChargerIsAccepted()
    {
        var bench = new LinkBench("10.0.0.2");
        var packet = bench.State(0);
        bench.Deliver(0, packet);
        bench.Deliver(0, packet);
        Assert.Equal(1, bench.Link.Charger(0).Accepted);
        Assert.Equal(1, bench.Link.Charger(0).Stale);
        for (int k = 0; k < 10; k++)
            bench.Deliver(0, bench.State(0));
        var rebooted = bench.State(0);
        rebooted.Seq = 0;
        bench.Deliver(0, rebooted);
        Assert.Equal(12, bench.Link.Charger(0).Accepted);
    }

    [Fact]
    public void NotManaged_BlocksTheGroup()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        var packet = bench.State(1);
        packet.StateFlags = 0;
        bench.Deliver(1, packet);
        bench.Run(31_000, each: () => { if (bench.Now % 1000 == 0) bench.Answer(0); }); // charger 1 is never accepted: start-up waits 30 s
        Assert.Equal(ChargerError.NotManaged, bench.Link.Charger(1).Error);
        Assert.True(bench.Group.Allocator.GroupBlocked);
        Assert.Equal(0, bench.Group.CommandedCurrent(0));
        Assert.Equal(AllocationReason.GroupBlocked, bench.Group.Allocations[0].Reason);
    }

    [Fact]
    public void AnInvalidHeader_BlocksTheGroupUntilAValidPacketArrives()
    {
        var bench = new LinkBench("10.0.0.2");
        var buffer = new byte[136];
        int length = bench.State(0).Encode(buffer, 5);
        buffer[6] = 0; // version 0
        bench.Link.Receive(buffer, length, bench.Addresses[0], GroupLink.ChargerPort, bench.Now);
        bench.Run(100);
        Assert.Equal(ChargerError.InvalidHeader, bench.Link.Charger(0).Error);
        Assert.True(bench.Group.Allocator.GroupBlocked);
        bench.Answer(0);
        bench.Run(100);
        Assert.Equal(ChargerError.Ok, bench.Link.Charger(0).Error);
        Assert.False(bench.Group.Allocator.GroupBlocked);
    }

    [Fact]
    public void AFrozenChargeController_BlocksTheGroupAfter10s()
    {
        var bench = new LinkBench("10.0.0.2");
        var packet = bench.State(0);
        bench.Deliver(0, packet);
        uint frozen = packet.EvseUptime;
        bench.Run(12_000, each: () =>
        {
            if (bench.Now % 1000 != 0) return;
            var again = bench.State(0);
            again.EvseUptime = frozen;
            bench.Deliver(0, again);
        });
        Assert.Equal(ChargerError.EvseUnreachable, bench.Link.Charger(0).Error);
        Assert.True(bench.Group.Allocator.GroupBlocked);
    }

    [Fact]
    public void AChargerApplyingMoreThanCommandedFor32s_IsNonreactiveAndBlocksTheGroup()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Run(1000, each: () => { bench.Answer(0); bench.Answer(1); });
        bench.Group.SetAvailableCurrent(12000); // both are told 6 A; charger 1 keeps applying 16 A
        bench.Run(31_000, each: () =>
        {
            if (bench.Now % 500 != 0) return;
            bench.Answer(0);
            bench.Deliver(1, bench.State(1, applied: 16000));
        });
        Assert.NotEqual(ChargerError.EvseNonreactive, bench.Link.Charger(1).Error);
        bench.Run(3000, each: () =>
        {
            if (bench.Now % 500 != 0) return;
            bench.Answer(0);
            bench.Deliver(1, bench.State(1, applied: 16000));
        });
        Assert.Equal(ChargerError.EvseNonreactive, bench.Link.Charger(1).Error);
        Assert.True(bench.Group.Allocator.GroupBlocked);

        bench.Run(10_000, each: () => { if (bench.Now % 500 == 0) { bench.Answer(0); bench.Deliver(1, bench.State(1, applied: 16000)); } });
        Assert.Equal(ChargerError.EvseNonreactive, bench.Link.Charger(1).Error); // stays until it obeys
        bench.Run(2000, each: () => { if (bench.Now % 500 == 0) { bench.Answer(0); bench.Answer(1); } });
        Assert.Equal(ChargerError.Ok, bench.Link.Charger(1).Error);
        Assert.False(bench.Group.Allocator.GroupBlocked);
    }

    [Fact]
    public void AClientError_StopsOnlyThatCharger()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Run(2000, each: () =>
        {
            bench.Answer(0);
            var packet = bench.State(1, applied: bench.LastCommandCurrent(1));
            packet.ErrorState = 4;
            bench.Deliver(1, packet);
        });
        Assert.Equal(196, bench.Link.Charger(1).Error);
        Assert.False(bench.Group.Allocator.GroupBlocked);
        Assert.Equal(0, bench.Group.CommandedCurrent(1));
        Assert.Equal(32000, bench.Group.CommandedCurrent(0));
    }

    [Fact]
    public void ASilentCharger_IsUnreachableAfter32s_WithoutBlockingTheOthers()
    {
        var bench = new LinkBench("10.0.0.2", "10.0.0.3");
        bench.Run(1000, each: () => { bench.Answer(0); bench.Answer(1); });
        bench.Run(37_000, each: () => { if (bench.Now % 500 == 0) bench.Answer(0); });
        Assert.Equal(ChargerError.ChargerUnreachable, bench.Link.Charger(1).Error);
        Assert.False(bench.Group.Allocator.GroupBlocked);
        Assert.Equal(0, bench.Group.Allocations[1].Current);
    }

    [Fact]
    public void MdnsNames_AreResolvedEverySecondAtStartUp_AndAgainWhenSilent()
    {
        var bench = new LinkBench("warp2-22oH.local");
        bench.Run(3000);
        Assert.InRange(bench.ResolveRequests.Count, 3, 4);
        Assert.Empty(bench.Sent); // nowhere to send yet
        HostName.TryParseIpv4("10.0.0.7", out uint address);
        bench.Link.Resolved(0, address);
        bench.Addresses[0] = address;
        bench.Run(1000, each: () => bench.Answer(0));
        int before = bench.ResolveRequests.Count;
        bench.Run(5000, each: () => bench.Answer(0));
        Assert.Equal(before, bench.ResolveRequests.Count); // heard: no need
        bench.Run(8000);
        Assert.True(bench.ResolveRequests.Count > before, "silent for more than 6 s: resolve again");
        Assert.NotEmpty(bench.SentTo(0).TakeLast(3)); // keeps using the stale address meanwhile
    }
}
