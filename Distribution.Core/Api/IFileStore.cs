namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// Files by name: the device's flash (I:\) or a folder on the desktop. A write may be cut anywhere by a
    /// power loss; <see cref="AtomicFile"/> makes replacing a file safe on top of that.
    /// </summary>
    public interface IFileStore
    {
        /// <summary>The file's bytes, or null if it does not exist.</summary>
        byte[] Read(string name);
        void Write(string name, byte[] data, int length);
        bool Exists(string name);
        void Delete(string name);
        /// <summary>Renames; the destination must not exist.</summary>
        void Move(string from, string to);
    }
}
