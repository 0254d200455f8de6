using System.IO;
using ChargeManager.Distribution.Api;

namespace ChargeManager.Firmware.Storage
{
    /// <summary>
    /// The config files on the ESP32's internal flash, I:\. Each Write is one FileStream.Write, which the ESP32
    /// natives do as open-write-close; Move is rename(). What that guarantees on a power cut: README, "The file
    /// system behind I:". Reads never throw (a flash that cannot be read boots with the defaults, logged);
    /// writes do, and WriteBehindStore reports them.
    /// </summary>
    public sealed class FlashStore : IFileStore
    {
        const string Root = "I:\\";

        public byte[] Read(string name)
        {
            string path = Root + name;
            try
            {
                return File.Exists(path) ? File.ReadAllBytes(path) : null;
            }
            catch (System.Exception e)
            {
                System.Diagnostics.Debug.WriteLine("ChargeManager: cannot read " + path + ": " + e.Message);
                return null;
            }
        }

        public void Write(string name, byte[] data, int length)
        {
            using (FileStream file = new FileStream(Root + name, FileMode.Create, FileAccess.Write))
            {
                file.Write(data, 0, length);
                file.Flush();
            }
        }

        public bool Exists(string name)
        {
            try
            {
                return File.Exists(Root + name);
            }
            catch (System.Exception)
            {
                return false;
            }
        }

        public void Delete(string name)
        {
            File.Delete(Root + name);
        }

        public void Move(string from, string to)
        {
            File.Move(Root + from, Root + to);
        }
    }
}
