using ChargeManager.Distribution.Protocol;
using Xunit;

namespace ChargeManager.Distribution.Tests.Protocol;

/// <summary>Spec cases 2 and 3: states v1..v5 from hand-built vectors, and validation.</summary>
public class StatePacketTests
{
    /// <summary>A hand-built state packet: every field at its offset, little-endian.</summary>
    public static byte[] Vector(int version, int length = -1, ushort seq = 7)
    {
        int declared = length < 0 ? StatePacket.LengthByVersion[Math.Min(version, 5)] : length;
        var b = new byte[Math.Max(declared, 136)];
        void U16(int o, int v) { b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); }
        void U32(int o, uint v) { for (int i = 0; i < 4; i++) b[o + i] = (byte)(v >> (8 * i)); }
        void F32(int o, float v) => BitConverter.GetBytes(v).CopyTo(b, o);
        U16(0, 34127); U16(2, declared); U16(4, seq); b[6] = (byte)version;
        U32(8, 0xC0000042);          // urgent, reallocation, CP disconnect, meter
        U32(12, 0xDEADBEEF);         // uid
        U32(16, 123456);             // evse uptime
        U32(20, 1);                  // car stopped charging
        U16(24, 16000); U16(26, 32000);
        b[28] = 2; b[29] = 3; b[30] = 4; b[31] = 0x80 | 0x40;
        F32(32, 230f); F32(36, 231f); F32(40, 229f);
        F32(44, 10.5f); F32(48, float.NaN); F32(52, -0.001f);
        F32(68, 7400f); F32(76, 1234.5f);
        U32(80, 90000);              // v2
        b[84] = 1 | 0x04 | 0x08;     // v3: 1 phase, can switch now, switching
        b[88] = 6;                   // v4: requested Eco; v5: overlays auth_info[0] byte 0
        return b[..declared];
    }

    [Theory]
    [InlineData(1, 80)]
    [InlineData(2, 84)]
    [InlineData(3, 88)]
    [InlineData(4, 92)]
    [InlineData(5, 136)]
    public void DecodesEveryVersion(int version, int length)
    {
        var packet = new StatePacket();
        var bytes = Vector(version);
        Assert.Equal(length, bytes.Length);
        Assert.Equal(PacketCheck.Ok, packet.Decode(bytes, bytes.Length));
        Assert.Equal(version, packet.Version);
        Assert.Equal(7, packet.Seq);
        Assert.True(packet.IsUrgent);
        Assert.True(packet.RequestsReallocation);
        Assert.Equal(0xDEADBEEFu, packet.Esp32Uid);
        Assert.Equal(123456u, packet.EvseUptime);
        Assert.Equal(1u, packet.CarStoppedCharging);
        Assert.Equal(16000, packet.AllowedChargingCurrent);
        Assert.Equal(32000, packet.SupportedCurrent);
        Assert.Equal(3, packet.ChargerState);
        Assert.Equal(4, packet.ErrorState);
        Assert.True(packet.IsManaged);
        Assert.Equal(10.5f, packet.LineCurrent1);
        Assert.True(float.IsNaN(packet.LineCurrent2));
        Assert.Equal(-0.001f, packet.LineCurrent3);
        Assert.Equal(1234.5f, packet.EnergyAbs);
        Assert.Equal(version >= 2 ? 90000 : -1, packet.TimeSinceStateChangeMs);
        Assert.Equal(version >= 3 ? 1 : 3, packet.Phases);
        Assert.Equal(version >= 3, packet.CanSwitchPhasesNow);
        Assert.Equal(version >= 3, packet.SwitchingPhases);
        Assert.Equal(version >= 4 ? 6 : 4, packet.RequestedChargeMode);
    }

    [Fact]
    public void EncodeAndDecodeAgree()
    {
        var original = new StatePacket();
        var bytes = Vector(5);
        original.Decode(bytes, bytes.Length);
        var again = new byte[136];
        Assert.Equal(136, original.Encode(again, 5));
        Assert.Equal(bytes[..92], again[..92]); // v5's auth_info (not encoded) aside
    }

    public static TheoryData<string, byte[], PacketCheck> Invalid => new()
    {
        { "7 bytes: truncated header", Vector(5)[..7], PacketCheck.TruncatedHeader },
        { "bad magic", Patch(Vector(5), 0, 0x00), PacketCheck.BadMagic },
        { "version 0", Patch(Vector(5), 6, 0), PacketCheck.BadVersion },
        { "v3 declaring 92 bytes", Patch(Vector(3), 2, 92), PacketCheck.BadLength },
        { "v5 datagram cut to 100 bytes", Vector(5)[..100], PacketCheck.LengthMismatch },
        { "v4 datagram with 8 extra bytes", Vector(4).Concat(new byte[8]).ToArray(), PacketCheck.LengthMismatch },
        { "v9 declaring less than 136", Vector(9, 120), PacketCheck.BadLength },
        { "v9 declaring 200, datagram of 130", Vector(9, 200)[..130], PacketCheck.LengthMismatch },
    };

    static byte[] Patch(byte[] b, int offset, byte value)
    {
        b[offset] = value;
        return b;
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void RejectsWhatTheSpecRejects(string what, byte[] datagram, PacketCheck expected)
    {
        Assert.True(expected == new StatePacket().Decode(datagram, datagram.Length), what);
    }

    [Fact]
    public void AcceptsAFutureVersionByItsKnownPrefix()
    {
        var datagram = Vector(9, 200);
        var packet = new StatePacket();
        Assert.Equal(PacketCheck.Ok, packet.Decode(datagram, datagram.Length));
        Assert.Equal(9, packet.Version);
        Assert.Equal(16000, packet.AllowedChargingCurrent);
        Assert.Equal(1, packet.Phases);
    }
}
