using ChargeManager.Distribution.Protocol;
using Xunit;

namespace ChargeManager.Distribution.Tests.Protocol;

/// <summary>Spec case 1: commands v1..v4 byte for byte against hand-built vectors.</summary>
public class CommandPacketTests
{
    static byte[] Encode(int version)
    {
        var packet = new CommandPacket
        {
            AllocatedCurrent = 16000, // 0x3E80
            Flags = CommandPacket.FlagCpDisconnect,
            AllocatedPhases = 3,
            ChargeMode = CommandPacket.ChargeModeOff,
            SupportedModes0 = 0x03,
            SupportedModes1 = 0x00,
            AuthFeedback = 2,
        };
        var buffer = new byte[CommandPacket.MaxLength + 4];
        Array.Fill(buffer, (byte)0xEE); // the encoder must write every byte it counts
        int length = packet.Encode(buffer, 0x1234, version);
        return buffer[..length];
    }

    [Fact]
    public void Version1_12Bytes_NoPhases()
    {
        Assert.Equal(new byte[] { 0x4F, 0x85, 12, 0, 0x34, 0x12, 1, 0, 0x80, 0x3E, 0x40, 0 }, Encode(1));
    }

    [Fact]
    public void Version2_12Bytes_PhasesInV1sPadding()
    {
        Assert.Equal(new byte[] { 0x4F, 0x85, 12, 0, 0x34, 0x12, 2, 0, 0x80, 0x3E, 0x40, 3 }, Encode(2));
    }

    [Fact]
    public void Version3_16Bytes_ChargeModes()
    {
        Assert.Equal(new byte[] { 0x4F, 0x85, 16, 0, 0x34, 0x12, 3, 0, 0x80, 0x3E, 0x40, 3, 1, 0x03, 0x00, 0 }, Encode(3));
    }

    [Fact]
    public void Version4_20Bytes_AuthFeedback()
    {
        Assert.Equal(new byte[] { 0x4F, 0x85, 20, 0, 0x34, 0x12, 4, 0, 0x80, 0x3E, 0x40, 3, 1, 0x03, 0x00, 0, 2, 0, 0, 0 }, Encode(4));
    }

    [Fact]
    public void IgnoreAllocationStartupPacket()
    {
        var packet = new CommandPacket
        {
            AllocatedCurrent = CommandPacket.IgnoredCurrent,
            Flags = CommandPacket.FlagIgnoreAllocation,
            AllocatedPhases = 0,
            ChargeMode = CommandPacket.ChargeModeDefault,
        };
        var buffer = new byte[20];
        packet.Encode(buffer, 1, 4);
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0x80, 0, 4 }, buffer[8..13]);
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    [InlineData(5, 4)]
    [InlineData(9, 4)]
    public void EachChargerGetsTheCommandVersionItUnderstands(int stateVersion, int commandVersion)
    {
        Assert.Equal(commandVersion, CommandPacket.VersionForStateVersion(stateVersion));
    }
}
