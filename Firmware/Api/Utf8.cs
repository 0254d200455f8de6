using ChargeManager.Distribution.Json;

namespace ChargeManager.Firmware.Api
{
    /// <summary>Strings to UTF-8 bytes through the core's JSON writer's encoder (mscorlib has no Encoding).</summary>
    public static class Utf8
    {
        static readonly JsonWriter writer = new JsonWriter(256);

        public static byte[] Encode(string text)
        {
            lock (writer)
            {
                writer.Reset();
                writer.Value(text); // a JSON string: quoted and escaped
                byte[] bytes = new byte[writer.Length - 2];
                for (int i = 0; i < bytes.Length; i++)
                    bytes[i] = writer.Buffer[i + 1];
                return bytes;
            }
        }
    }
}
