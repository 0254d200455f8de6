using ChargeManager.Distribution.Json;

namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// Replaces a JSON file so that a power cut at any moment leaves either the old or the new document
    /// (spec nanoframework.md §1.7): write name.new completely, keep the old as name.bak, rename the new
    /// into place. Reading takes the first of name, name.new, name.bak that parses.
    /// </summary>
    public static class AtomicFile
    {
        public static void Write(IFileStore store, string name, byte[] data, int length)
        {
            string fresh = name + ".new", backup = name + ".bak";
            store.Write(fresh, data, length);
            if (store.Exists(name))
            {
                if (store.Exists(backup))
                    store.Delete(backup);
                store.Move(name, backup);
            }
            store.Move(fresh, name);
        }

        /// <summary>The newest complete document, or null if none parses.</summary>
        public static JsonNode Read(IFileStore store, string name, JsonParser parser)
        {
            JsonNode node = TryRead(store, name, parser);
            if (node == null)
                node = TryRead(store, name + ".new", parser);
            if (node == null)
                node = TryRead(store, name + ".bak", parser);
            return node;
        }

        static JsonNode TryRead(IFileStore store, string name, JsonParser parser)
        {
            byte[] data = store.Read(name);
            return data == null ? null : parser.Parse(data, data.Length);
        }
    }
}
