using System.Net;
using System.Net.Sockets;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Tests.Api;
using ChargeManager.Firmware.Link;
using Xunit;

namespace ChargeManager.Distribution.Tests.Firmware;

/// <summary>
/// Firmware/Link/ChargerSocket.cs itself (compiled into this project) on real loopback UDP sockets
/// (issue 10 / 13): any datagram at the head of the queue, a flood, and a loop that cannot die.
/// Loopback 127.0.50.x, ports 1850x (issue 10's range). Run under the shared lock (flock /tmp/cm-e2e.lock).
/// </summary>
public class ChargerSocketTests : IDatagramSender, IHostResolver
{
    void IDatagramSender.Send(byte[] buffer, int length, uint ipv4, int port) { }
    void IHostResolver.Resolve(int charger, string host, HostKind kind) { }

    static readonly IPAddress Manager = IPAddress.Parse("127.0.50.1");

    ChargeManagerApp NewApp() => new(new MemoryStore(), this, this, new ManagerConfig
    {
        EnableChargeManager = true, DefaultAvailableCurrent = 16000, MaximumAvailableCurrent = 32000,
        Hosts = new[] { "10.0.0.2" }, Names = new[] { "one" },
    }, 0);

    static Socket Charger(int port)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Parse("127.0.50.2"), port));
        return s;
    }

    static void Settle() => Thread.Sleep(50); // loopback delivery

    [Fact]
    public void AnEmptyDatagramAtTheHeadOfTheQueueDoesNotStopReception()
    {
        using var charger = Charger(18502);
        var socket = new ChargerSocket(Manager, 18501);
        var app = NewApp();
        var to = new IPEndPoint(Manager, 18501);
        charger.SendTo(Array.Empty<byte>(), to);
        for (int i = 0; i < 3; i++)
            charger.SendTo(new byte[] { 1, 2, 3, 4 }, to);
        Settle();
        socket.ReceiveAll(app, 0);
        Assert.Equal(4, socket.Received); // the old `while (socket.Available > 0)` saw 0 here and read nothing, for good
        Assert.Equal(3, app.Link.UnknownSource); // the three reached the core (from an address that is no charger)
    }

    [Fact]
    public void AnOversizedDatagramDoesNotStopReception()
    {
        using var charger = Charger(18504);
        var socket = new ChargerSocket(Manager, 18503);
        var app = NewApp();
        var to = new IPEndPoint(Manager, 18503);
        charger.SendTo(new byte[4000], to); // larger than the 1500-byte buffer: truncated here, an exception on other stacks
        charger.SendTo(new byte[] { 1, 2, 3, 4 }, to);
        charger.SendTo(new byte[] { 1, 2, 3, 4 }, to);
        Settle();
        socket.ReceiveAll(app, 0);
        Assert.True(socket.Received + socket.Errors == 3 && app.Link.UnknownSource >= 2,
            $"received {socket.Received}, errors {socket.Errors}, core saw {app.Link.UnknownSource}");
    }

    [Fact]
    public void AFloodIsWorkedOffOverSeveralTicksAndEveryTickReturns()
    {
        using var charger = Charger(18506);
        var socket = new ChargerSocket(Manager, 18505);
        var app = NewApp();
        var to = new IPEndPoint(Manager, 18505);
        int sent = ChargerSocket.MaxDatagramsPerTick * 3 + 5;
        for (int i = 0; i < sent; i++)
            charger.SendTo(new byte[] { 1, 2, 3, (byte)i }, to);
        Settle();
        socket.ReceiveAll(app, 0);
        Assert.Equal(ChargerSocket.MaxDatagramsPerTick, socket.Received);
        for (int tick = 0; tick < 4; tick++)
            socket.ReceiveAll(app, 50 * tick);
        Assert.Equal(sent, socket.Received);
    }

    [Fact]
    public void AnIcmpErrorSurfacingAsASocketExceptionCostsNoDatagram()
    {
        var socket = new ChargerSocket(Manager, 18509);
        var app = NewApp();
        var inner = (Socket)typeof(ChargerSocket).GetField("socket", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
            .GetValue(socket);
        // Linux reports ICMP port unreachable to a connected UDP socket: the way a charger that is down
        // shows up on stacks that report it on any UDP socket (lwIP, Windows).
        var charger = new IPEndPoint(IPAddress.Parse("127.0.50.2"), 18510);
        inner.Connect(charger);
        socket.Send(new byte[] { 1 }, 1, HostName.FromBytes(charger.Address.GetAddressBytes()), charger.Port); // nobody there yet
        Settle();
        using (var up = Charger(18510))
        {
            up.SendTo(new byte[] { 1, 2, 3, 4 }, new IPEndPoint(Manager, 18509));
            up.SendTo(new byte[] { 1, 2, 3, 4 }, new IPEndPoint(Manager, 18509));
            Settle();
            socket.ReceiveAll(app, 0);
        }
        Assert.Equal(1, socket.Errors); // the ICMP error, as a SocketException (ConnectionRefused)
        Assert.Equal(2, app.Link.UnknownSource); // both datagrams behind it, in the same tick
    }

    [Fact]
    public void ASocketThatKeepsFailingIsBoundAgainAndReceptionResumes()
    {
        using var charger = Charger(18508);
        var socket = new ChargerSocket(Manager, 18507);
        var app = NewApp();
        // Break the socket under the loop (on the device: the network interface went away).
        var field = typeof(ChargerSocket).GetField("socket", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance);
        ((Socket)field.GetValue(socket)).Close();
        for (int tick = 0; tick < 3; tick++)
            socket.ReceiveAll(app, 50 * tick); // never throws
        Assert.Equal(1, socket.Reopened);
        charger.SendTo(new byte[] { 1, 2, 3, 4 }, new IPEndPoint(Manager, 18507));
        Settle();
        socket.ReceiveAll(app, 200);
        Assert.Equal(1, app.Link.UnknownSource);
    }
}
