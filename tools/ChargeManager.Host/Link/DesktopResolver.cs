using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ChargeManager.Distribution.Link;

namespace ChargeManager.Host.Link;

/// <summary>
/// Resolves DNS names with the operating system's resolver, in the background; answers are applied to
/// the link on its own thread. (*.local names are browsed over mDNS: see MdnsBrowser.)
/// </summary>
public sealed class DesktopResolver : IHostResolver
{
    readonly ConcurrentQueue<(int charger, uint address)> answers = new();
    readonly ConcurrentDictionary<int, bool> pending = new();

    public void Resolve(int charger, string host, HostKind kind)
    {
        if (kind != HostKind.Dns || !pending.TryAdd(charger, true))
            return;
        _ = Task.Run(async () =>
        {
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(host, AddressFamily.InterNetwork);
                if (addresses.Length > 0)
                    answers.Enqueue((charger, UdpManager.ToUInt(addresses[0])));
            }
            catch (SocketException)
            {
                // not resolvable now; the link asks again while the charger stays silent
            }
            finally
            {
                pending.TryRemove(charger, out _);
            }
        });
    }

    public void ApplyAnswers(GroupLink link)
    {
        while (answers.TryDequeue(out var answer))
            link.Resolved(answer.charger, answer.address);
    }
}
