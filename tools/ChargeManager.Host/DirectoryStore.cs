using System.Runtime.InteropServices;
using ChargeManager.Distribution.Api;

namespace ChargeManager.Host;

/// <summary>
/// The config files in a data directory. Writes are flushed to disk before they count, and so are
/// renames and deletes: on Linux and macOS the directory itself is fsync'ed after each (a rename lives
/// in the directory, not in the file, and a power cut may otherwise lose it). On Windows NTFS journals
/// the rename and .NET offers no way to flush a directory; there the file flush is all.
/// </summary>
public sealed class DirectoryStore : IFileStore
{
    readonly string directory;

    /// <summary>How many times the directory was synced (tests prove the renames are followed by one).</summary>
    public int DirectorySyncs;

    public DirectoryStore(string directory)
    {
        this.directory = directory;
        Directory.CreateDirectory(directory);
    }

    string PathOf(string name) => Path.Combine(directory, name);

    public byte[] Read(string name) => File.Exists(PathOf(name)) ? File.ReadAllBytes(PathOf(name)) : null;
    public bool Exists(string name) => File.Exists(PathOf(name));

    public void Delete(string name)
    {
        File.Delete(PathOf(name));
        SyncDirectory();
    }

    public void Move(string from, string to)
    {
        File.Move(PathOf(from), PathOf(to));
        SyncDirectory();
    }

    public void Write(string name, byte[] data, int length)
    {
        // Owner-only (0600) where the platform has modes: mqtt_config.json holds the broker password, users the hashes.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(PathOf(name), options))
        {
            file.Write(data, 0, length);
            file.Flush(flushToDisk: true);
        }
        SyncDirectory(); // a new file's directory entry, too
    }

    /// <summary>fsync(2) on the directory: open(O_RDONLY | O_DIRECTORY), fsync, close. A failure throws: the write did not count.</summary>
    void SyncDirectory()
    {
        if (OperatingSystem.IsWindows())
            return;
        int fd = Native.open(directory, OperatingSystem.IsLinux() ? Native.O_RDONLY | Native.O_DIRECTORY_LINUX : Native.O_RDONLY);
        if (fd < 0)
            throw new IOException($"cannot open {directory} to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Native.fsync(fd) != 0)
                throw new IOException($"fsync of {directory} failed (errno {Marshal.GetLastPInvokeError()})");
            DirectorySyncs++;
        }
        finally
        {
            Native.close(fd);
        }
    }

    static class Native
    {
        public const int O_RDONLY = 0;
        public const int O_DIRECTORY_LINUX = 0x10000;

        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
    }
}
