using System.Diagnostics;
using System.Threading;
using ChargeManager.Distribution;
using ChargeManager.Distribution.Allocation;
using GC = nanoFramework.Runtime.Native.GC;

namespace ChargeManager.Firmware
{
    /// <summary>
    /// Boots the portable core on the device. Today it sizes the group for the board, reports how much
    /// managed heap that took and how long one allocator tick takes on the interpreter, then keeps
    /// ticking. The chargers' UDP link, HTTP, MQTT, storage and the contactor are wired in here as
    /// their issues land; no decision is made in this project.
    /// </summary>
    public static class Program
    {
        public static void Main()
        {
            uint freeAtBoot = GC.Run(true);
            var group = new Distributor(new AllocatorConfig(), Board.MaxChargers);
            uint freeWithCore = GC.Run(true);
            Debug.WriteLine("ChargeManager: core for " + Board.MaxChargers.ToString() + " chargers takes "
                + (freeAtBoot - freeWithCore).ToString() + " bytes; " + freeWithCore.ToString() + " bytes free");

            group.SetAvailableCurrent(0); // nothing is available until the API sets it (issue 4)
            long started = System.Environment.TickCount64;
            long ticks = 0;
            while (true)
            {
                long now = System.Environment.TickCount64;
                group.Tick(now, -1);
                ticks++;
                if (ticks % 600 == 0)
                {
                    long busy = System.Environment.TickCount64 - now;
                    Debug.WriteLine("ChargeManager: up " + ((now - started) / 1000).ToString() + " s, last tick "
                        + busy.ToString() + " ms, " + GC.Run(false).ToString() + " bytes free");
                }
                Thread.Sleep(Board.TickMs);
            }
        }
    }
}
