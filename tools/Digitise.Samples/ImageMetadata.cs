using System.Buffers.Binary;
using System.Text;

namespace Digitise.Samples;

/// <summary>Stamps the scan resolution into PNG (pHYs chunk) and JPEG (JFIF density) files.</summary>
internal static class ImageMetadata
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    public static byte[] WithPngDpi(byte[] png, int dpi)
    {
        // Signature (8) + IHDR chunk (4 length + 4 type + 13 data + 4 CRC) = 33 bytes; insert pHYs after it.
        const int insertAt = 33;
        uint pixelsPerMetre = (uint)Math.Round(dpi / 0.0254);
        var chunk = new byte[21];
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(0), 9);
        Encoding.ASCII.GetBytes("pHYs", chunk.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8), pixelsPerMetre);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(12), pixelsPerMetre);
        chunk[16] = 1; // unit: metre
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(17), Crc32(chunk.AsSpan(4, 13)));
        var result = new byte[png.Length + chunk.Length];
        png.AsSpan(0, insertAt).CopyTo(result);
        chunk.CopyTo(result.AsSpan(insertAt));
        png.AsSpan(insertAt).CopyTo(result.AsSpan(insertAt + chunk.Length));
        return result;
    }

    public static byte[] WithJpegDpi(byte[] jpeg, int dpi)
    {
        // SOI, then APP0 "JFIF\0": units at offset 13, X/Y density at 14 and 16.
        if (jpeg.Length > 18 && jpeg[2] == 0xFF && jpeg[3] == 0xE0 && jpeg.AsSpan(6, 5).SequenceEqual("JFIF\0"u8))
        {
            jpeg[13] = 1; // dots per inch
            BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(14), (ushort)dpi);
            BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(16), (ushort)dpi);
        }

        return jpeg;
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFF;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
