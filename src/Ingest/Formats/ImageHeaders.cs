using System.Buffers.Binary;

namespace Digitise.Ingest.Formats;

/// <summary>Page geometry read from a container's headers before anything is decoded.</summary>
/// <param name="Dpi">Horizontal resolution stated by the file, or null.</param>
internal readonly record struct FrameInfo(int Width, int Height, int? Dpi);

/// <summary>Reads image dimensions from headers so oversized pages are refused before a decoder allocates them.</summary>
internal static class ImageHeaders
{
    public static FrameInfo? ReadPng(ReadOnlySpan<byte> data)
    {
        // Signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4)
        if (data.Length < 24 || !data.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return null;
        }

        int? dpi = null;
        int pHys = data.IndexOf("pHYs"u8);
        if (pHys > 0 && pHys + 13 <= data.Length && data[pHys + 12] == 1)
        {
            uint perMetre = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(pHys + 4, 4));
            dpi = (int)Math.Round(perMetre * 0.0254);
        }

        return new FrameInfo((int)BinaryPrimitives.ReadUInt32BigEndian(data.Slice(16, 4)), (int)BinaryPrimitives.ReadUInt32BigEndian(data.Slice(20, 4)), dpi);
    }

    public static FrameInfo? ReadJpeg(ReadOnlySpan<byte> data)
    {
        int? dpi = null;
        int i = 2;
        while (i + 9 < data.Length)
        {
            if (data[i] != 0xFF)
            {
                return null;
            }

            byte marker = data[i + 1];
            int length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 2, 2));
            if (marker == 0xE0 && i + 16 < data.Length && data.Slice(i + 4, 5).SequenceEqual("JFIF\0"u8) && data[i + 11] == 1)
            {
                dpi = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 12, 2));
            }

            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC)
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                int height = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 5, 2));
                int width = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 7, 2));
                return new FrameInfo(width, height, dpi is > 1 ? dpi : null);
            }

            i += 2 + length;
        }

        return null;
    }
}
