namespace ChargeManager.Distribution.Link
{
    /// <summary>
    /// The one I/O seam of the link: sends a datagram from the manager's socket (bound to UDP 34127,
    /// so chargers answer to it) to an IPv4 address. Implemented by the firmware and the desktop host
    /// with real sockets, and by tests.
    /// </summary>
    public interface IDatagramSender
    {
        void Send(byte[] buffer, int length, uint ipv4, int port);
    }

    /// <summary>
    /// Resolves a charger's host name (DNS, or mDNS for *.local) in the background and answers with
    /// <see cref="GroupLink.Resolved"/>. Repeated requests while one is under way may be ignored.
    /// </summary>
    public interface IHostResolver
    {
        void Resolve(int charger, string host, HostKind kind);
    }
}
