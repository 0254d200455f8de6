using ChargeManager.Distribution.Api;

namespace ChargeManager.Distribution.Tests.Api;

/// <summary>Files in memory. With a budget, the power fails after that many written bytes, deletes and renames.</summary>
public sealed class MemoryStore : IFileStore
{
    public readonly Dictionary<string, byte[]> Files = new();
    public int Budget = int.MaxValue;

    public sealed class PowerCut : Exception;

    void Spend()
    {
        if (Budget-- <= 0)
            throw new PowerCut();
    }

    public byte[] Read(string name) => Files.TryGetValue(name, out var data) ? data : null;
    public bool Exists(string name) => Files.ContainsKey(name);

    public void Write(string name, byte[] data, int length)
    {
        var written = new List<byte>();
        Files[name] = Array.Empty<byte>();
        for (int i = 0; i < length; i++)
        {
            Spend();
            written.Add(data[i]);
            Files[name] = written.ToArray(); // what is on flash when the power goes
        }
    }

    public void Delete(string name)
    {
        Spend();
        Files.Remove(name);
    }

    public void Move(string from, string to)
    {
        Spend();
        if (Files.ContainsKey(to))
            throw new IOException("destination exists");
        Files[to] = Files[from];
        Files.Remove(from);
    }
}
