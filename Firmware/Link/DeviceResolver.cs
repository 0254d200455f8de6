using System.Net;
using System.Threading;
using ChargeManager.Distribution.Link;

namespace ChargeManager.Firmware.Link
{
    /// <summary>
    /// Resolves DNS names on a worker thread with nanoFramework's Dns; answers are queued and applied
    /// by the main loop (GroupLink is not thread-safe). *.local names need the mDNS browser (see README).
    /// </summary>
    public sealed class DeviceResolver : IHostResolver
    {
        readonly object gate = new object();
        readonly int[] answeredCharger;
        readonly uint[] answeredAddress;
        int answers;
        bool busy;

        public DeviceResolver(int chargers)
        {
            answeredCharger = new int[chargers];
            answeredAddress = new uint[chargers];
        }

        public void Resolve(int charger, string host, HostKind kind)
        {
            lock (gate)
            {
                if (kind != HostKind.Dns || busy)
                    return; // one at a time, as WARP does; the link asks again later
                busy = true;
            }
            new Thread(() =>
            {
                uint found = 0;
                try
                {
                    IPHostEntry entry = Dns.GetHostEntry(host);
                    if (entry.AddressList.Length > 0)
                    {
                        byte[] b = entry.AddressList[0].GetAddressBytes();
                        if (b.Length == 4)
                            found = (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
                    }
                }
                catch (System.Exception)
                {
                    // not resolvable now
                }
                lock (gate)
                {
                    if (found != 0 && answers < answeredCharger.Length)
                    {
                        answeredCharger[answers] = charger;
                        answeredAddress[answers] = found;
                        answers++;
                    }
                    busy = false;
                }
            }).Start();
        }

        public void ApplyAnswers(GroupLink link)
        {
            lock (gate)
            {
                for (int i = 0; i < answers; i++)
                    link.Resolved(answeredCharger[i], answeredAddress[i]);
                answers = 0;
            }
        }
    }
}
