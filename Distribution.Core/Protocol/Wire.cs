using System;

namespace ChargeManager.Distribution.Protocol
{
    /// <summary>
    /// Little-endian reads and writes at fixed offsets (the protocol sends raw ESP32 structs).
    /// Floats go through BitConverter, which is little-endian on both the ESP32 and x86/ARM desktops.
    /// </summary>
    public static class Wire
    {
        public static ushort U16(byte[] b, int offset)
        {
            return (ushort)(b[offset] | (b[offset + 1] << 8));
        }

        public static uint U32(byte[] b, int offset)
        {
            return (uint)(b[offset] | (b[offset + 1] << 8) | (b[offset + 2] << 16) | (b[offset + 3] << 24));
        }

        public static float F32(byte[] b, int offset)
        {
            return BitConverter.ToSingle(b, offset);
        }

        public static void PutU16(byte[] b, int offset, int value)
        {
            b[offset] = (byte)value;
            b[offset + 1] = (byte)(value >> 8);
        }

        public static void PutU32(byte[] b, int offset, uint value)
        {
            b[offset] = (byte)value;
            b[offset + 1] = (byte)(value >> 8);
            b[offset + 2] = (byte)(value >> 16);
            b[offset + 3] = (byte)(value >> 24);
        }

        public static void PutF32(byte[] b, int offset, float value)
        {
            byte[] bytes = BitConverter.GetBytes(value); // only the simulator and tests encode states
            for (int i = 0; i < 4; i++)
                b[offset + i] = bytes[i];
        }

        public static void Clear(byte[] b, int offset, int count)
        {
            for (int i = 0; i < count; i++)
                b[offset + i] = 0;
        }
    }
}
