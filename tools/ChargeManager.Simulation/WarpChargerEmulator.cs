using System.Net;
using System.Net.Sockets;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Discovery;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Protocol;

namespace ChargeManager.Simulation;

/// <summary>
/// A WARP charger on the network: a UDP socket on its own loopback address, port 34128, speaking the
/// state version you choose, with a car behind it (<see cref="SimulatedCharger"/>). It behaves as spec
/// §0/§1.12 describes a managed charger: silent until a manager commands it, answers ~300 ms after each
/// command and at least every 2.5 s, at once (urgent) on plug-in and out, falls back to 0 A after 30 s
/// without commands and stops talking after 60 s. Fault switches make it misbehave on purpose.
/// </summary>
public sealed class WarpChargerEmulator : IDisposable
{
    public const int Port = 34128;

    public readonly IPAddress Address;
    public readonly SimulatedCharger Car;
    public int StateVersion = 5;
    public uint Uid;

    // Fault switches.
    public volatile bool Silent;           // sends no state packets
    public volatile bool FrozenUptime;     // the EVSE hangs: uptime stops
    public volatile bool NotManaged;       // charge management disabled on the charger
    public volatile bool IgnoresCommands;  // keeps its slot whatever it is told (nonreactive)
    public volatile bool BadHeader;        // sends version 0
    public double LossRate;                // share of commands it never gets and of states that never arrive
    readonly Random random = new(17);

    public int CommandsReceived, CommandsRejected, StatesSent;
    public int LastCommandVersion;

    readonly Socket socket;
    readonly CommandPacket command = new();
    readonly StatePacket state = new();
    readonly byte[] receiveBuffer = new byte[1500];
    readonly byte[] sendBuffer = new byte[StatePacket.NewestLength];
    readonly object gate = new();
    EndPoint manager;
    long lastCommandMs = long.MinValue / 2, nextStateMs = long.MaxValue, bootMs;
    ushort lastCommandSeq = 255; // the charger's initial "last seen" (spec §1.7)
    ushort seq;
    uint uptime;
    bool wasPlugged, urgent;

    public WarpChargerEmulator(IPAddress address, SimulatedCharger car, long nowMs)
    {
        Address = address;
        Car = car;
        Uid = BitConverter.ToUInt32(address.GetAddressBytes().Reverse().ToArray());
        bootMs = nowMs;
        socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        socket.Bind(new IPEndPoint(address, Port));
    }

    /// <summary>Starts the sequence near the wrap (65534 → 0) to exercise it.</summary>
    public void StartSeqAt(ushort value)
    {
        lock (gate)
            seq = value;
    }

    /// <summary>A reboot: slot back to 0 A, sequence and uptime from 0, the manager forgotten.</summary>
    public void Reboot(long nowMs)
    {
        lock (gate)
        {
            Car.Applied = 0;
            seq = 0;
            bootMs = nowMs;
            manager = null;
            lastCommandSeq = 255;
            nextStateMs = long.MaxValue;
        }
    }

    /// <summary>Reads what arrived, moves the car, and sends a state when one is due. Call every few ms.</summary>
    public void Poll(long nowMs)
    {
        lock (gate)
        {
            while (socket.Available > 0)
            {
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                int n;
                try { n = socket.ReceiveFrom(receiveBuffer, ref from); }
                catch (SocketException) { break; }
                if (LossRate > 0 && random.NextDouble() < LossRate)
                    continue;
                OnCommand(n, from, nowMs);
            }
            AnswerQueries();
            if (nowMs - lastCommandMs > 30000)
                Car.Applied = 0; // the charger's own fallback
            Car.StepCar(nowMs, 6000);
            bool plugged = Car.State != VehicleState.NotConnected;
            if (plugged != wasPlugged)
            {
                wasPlugged = plugged;
                urgent = true;
                nextStateMs = nowMs;
            }
            if (!FrozenUptime)
                uptime = (uint)(nowMs - bootMs);
            if (manager != null && nowMs >= nextStateMs && nowMs - lastCommandMs <= 60000)
                SendState(nowMs);
        }
    }

    void OnCommand(int length, EndPoint from, long nowMs)
    {
        if (command.Decode(receiveBuffer, length, out int version, out ushort commandSeq) != PacketCheck.Ok)
        {
            CommandsRejected++;
            return;
        }
        if (SequenceNumbers.IsStale(commandSeq, lastCommandSeq))
        {
            CommandsRejected++;
            return;
        }
        lastCommandSeq = commandSeq;
        CommandsReceived++;
        LastCommandVersion = version;
        manager = from;
        lastCommandMs = nowMs;
        nextStateMs = Math.Min(nextStateMs, nowMs + 300);
        if (NotManaged || IgnoresCommands)
            return;
        if ((command.Flags & CommandPacket.FlagIgnoreAllocation) != 0)
            return; // only refreshes the 30 s timer
        Car.Applied = command.AllocatedCurrent;
        if (command.AllocatedPhases != 0 && command.AllocatedPhases != Car.WiredPhases && Car.Switchable)
            Car.WiredPhases = command.AllocatedPhases;
    }

    void SendState(long nowMs)
    {
        nextStateMs = nowMs + 2500;
        if (Silent || (LossRate > 0 && random.NextDouble() < LossRate))
            return;
        state.Seq = seq++;
        state.FeatureFlags = StatePacket.FeatureMeter | (urgent ? StatePacket.FeatureUrgent | StatePacket.FeatureRequestReallocation : 0);
        urgent = false;
        state.Esp32Uid = Uid;
        state.EvseUptime = uptime;
        state.CarStoppedCharging = Car.CarFull && Car.State != VehicleState.NotConnected ? 1u : 0u;
        state.AllowedChargingCurrent = Car.Applied;
        state.SupportedCurrent = Car.Supported;
        state.ChargerState = (int)Car.State;
        state.Iec61851State = Car.State == VehicleState.Charging ? 2 : Car.State == VehicleState.NotConnected ? 0 : 1;
        state.ErrorState = 0;
        state.StateFlags = NotManaged ? 0 : StatePacket.StateFlagManaged;
        state.LineVoltage1 = state.LineVoltage2 = state.LineVoltage3 = 230f;
        state.LineCurrent1 = Car.LineCurrentA(1);
        state.LineCurrent2 = Car.LineCurrentA(2);
        state.LineCurrent3 = Car.LineCurrentA(3);
        state.PowerTotal = 230f * (Math.Max(0, state.LineCurrent1) + Math.Max(0, state.LineCurrent2) + Math.Max(0, state.LineCurrent3));
        state.TimeSinceStateChangeMs = nowMs - Car.StateSinceMs;
        state.Phases = Car.WiredPhases;
        state.CanSwitchPhasesNow = Car.Switchable;
        state.SwitchingPhases = false;
        state.RequestedChargeMode = 4;
        int length = state.Encode(sendBuffer, StateVersion);
        if (BadHeader)
            sendBuffer[6] = 0;
        try
        {
            socket.SendTo(sendBuffer, length, SocketFlags.None, manager);
            StatesSent++;
        }
        catch (SocketException)
        {
            // the manager is gone; a real charger just keeps trying
        }
    }

    Socket mdns;
    string mdnsHost;
    readonly DnsMessage query = new();
    readonly byte[] mdnsBuffer = new byte[512];

    /// <summary>
    /// Advertises _tf-warp-cm._udp as "name.local" the way a WARP's responder does. On a LAN that is the
    /// mDNS group; here it answers on its own address, port 5353, to whoever asks (loopback has no multicast).
    /// </summary>
    public void Advertise(string hostName)
    {
        lock (gate)
        {
            mdnsHost = hostName;
            mdns = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
            mdns.Bind(new IPEndPoint(Address, 5353));
        }
    }

    void AnswerQueries()
    {
        while (mdns != null && mdns.Available > 0)
        {
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            int n;
            try { n = mdns.ReceiveFrom(mdnsBuffer, ref from); }
            catch (SocketException) { return; }
            if (!query.Read(mdnsBuffer, n) || query.IsResponse)
                continue;
            string instance = mdnsHost + "." + ChargerDiscovery.Service;
            string host = mdnsHost + ".local";
            int at = DnsMessage.WriteResponseHeader(mdnsBuffer, 4);
            at = DnsMessage.WritePtr(mdnsBuffer, at, ChargerDiscovery.Service, instance);
            at = DnsMessage.WriteSrv(mdnsBuffer, at, instance, host, 34127);
            at = DnsMessage.WriteTxt(mdnsBuffer, at, instance, new[] { "enabled=" + (NotManaged ? "false" : "true"), "display_name=" + mdnsHost, "version=34127." + StateVersion });
            at = DnsMessage.WriteA(mdnsBuffer, at, host, HostName.FromBytes(Address.GetAddressBytes()));
            try { mdns.SendTo(mdnsBuffer, at, SocketFlags.None, from); }
            catch (SocketException) { }
        }
    }

    public void Dispose()
    {
        socket.Dispose();
        mdns?.Dispose();
    }
}
