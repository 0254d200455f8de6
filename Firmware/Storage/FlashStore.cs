using System.IO;
using ChargeManager.Distribution.Api;

namespace ChargeManager.Firmware.Storage
{
    /// <summary>The config files on the ESP32's internal flash, I:\ (littlefs: each operation is power-fail safe; AtomicFile does the rest).</summary>
    public sealed class FlashStore : IFileStore
    {
        const string Root = "I:\\";

        public byte[] Read(string name)
        {
            string path = Root + name;
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
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
            return File.Exists(Root + name);
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
