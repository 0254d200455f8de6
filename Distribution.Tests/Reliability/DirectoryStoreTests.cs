using System.Text;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Json;
using ChargeManager.Host;
using Xunit;

namespace ChargeManager.Distribution.Tests.Reliability;

/// <summary>The host's file store syncs the directory after every rename and delete (issue 13: a power cut could lose the last rename).</summary>
public class DirectoryStoreTests
{
    [Fact]
    public void AnAtomicReplace_SyncsTheDirectoryAfterEachRename()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cm-store13-" + Guid.NewGuid().ToString("N"));
        try
        {
            var store = new DirectoryStore(dir);
            byte[] first = Encoding.UTF8.GetBytes("{\"a\":1}"), second = Encoding.UTF8.GetBytes("{\"a\":2}");
            AtomicFile.Write(store, "x.json", first, first.Length);   // write .new, rename
            int afterFirst = store.DirectorySyncs;
            AtomicFile.Write(store, "x.json", second, second.Length); // write .new, rename old to .bak, rename new
            int afterSecond = store.DirectorySyncs;
            AtomicFile.Write(store, "x.json", first, first.Length);   // and now also delete the old .bak
            if (OperatingSystem.IsWindows())
            {
                Assert.Equal(0, store.DirectorySyncs); // NTFS: nothing to call; see DirectoryStore
                return;
            }
            Assert.Equal(2, afterFirst);                 // the new file's entry, its rename
            Assert.Equal(afterFirst + 3, afterSecond);   // the new file, two renames
            Assert.Equal(afterSecond + 4, store.DirectorySyncs); // the new file, the delete, two renames
            Assert.Equal(1, AtomicFile.Read(store, "x.json", new JsonParser()).Get("a").Integer);
            // Owner-only: stored objects hold the broker password (mqtt/config) and password hashes (users/config).
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "x.json")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ADirectoryThatCannotBeOpened_FailsTheWrite()
    {
        if (OperatingSystem.IsWindows())
            return;
        string dir = Path.Combine(Path.GetTempPath(), "cm-store13-" + Guid.NewGuid().ToString("N"));
        var store = new DirectoryStore(dir);
        Directory.Delete(dir);
        Assert.ThrowsAny<IOException>(() => store.Write("x.json", new byte[1], 1));
    }
}
