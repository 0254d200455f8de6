using ChargeManager.Distribution.Api;

namespace ChargeManager.Host;

/// <summary>The config files in a data directory. Writes are flushed to disk before they count.</summary>
public sealed class DirectoryStore : IFileStore
{
    readonly string directory;

    public DirectoryStore(string directory)
    {
        this.directory = directory;
        Directory.CreateDirectory(directory);
    }

    string PathOf(string name) => Path.Combine(directory, name);

    public byte[] Read(string name) => File.Exists(PathOf(name)) ? File.ReadAllBytes(PathOf(name)) : null;
    public bool Exists(string name) => File.Exists(PathOf(name));
    public void Delete(string name) => File.Delete(PathOf(name));
    public void Move(string from, string to) => File.Move(PathOf(from), PathOf(to));

    public void Write(string name, byte[] data, int length)
    {
        using var file = new FileStream(PathOf(name), FileMode.Create, FileAccess.Write, FileShare.None);
        file.Write(data, 0, length);
        file.Flush(flushToDisk: true);
    }
}
