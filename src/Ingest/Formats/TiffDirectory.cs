using System.Buffers.Binary;

namespace Digitise.Ingest.Formats;

/// <summary>
/// Walks a TIFF's chain of image file directories (IFDs) to count pages and read each page's size and resolution,
/// checking that every strip or tile lies inside the file, so a truncated file is caught before decoding.
/// </summary>
internal static class TiffDirectory
{
    private const ushort ImageWidth = 256;
    private const ushort ImageLength = 257;
    private const ushort StripOffsets = 273;
    private const ushort StripByteCounts = 279;
    private const ushort XResolution = 282;
    private const ushort ResolutionUnit = 296;
    private const ushort TileOffsets = 324;
    private const ushort TileByteCounts = 325;

    /// <summary>Reads every page's geometry; throws <see cref="InvalidDataException"/> naming what is wrong.</summary>
    public static IReadOnlyList<FrameInfo> ReadFrames(ReadOnlySpan<byte> data, int maxPages)
    {
        if (data.Length < 8)
        {
            throw new InvalidDataException("truncated_tiff: the header is incomplete");
        }

        bool little = data[0] == 'I';
        long offset = ReadUInt32(data, 4, little);
        var frames = new List<FrameInfo>();
        var seen = new HashSet<long>();
        while (offset != 0)
        {
            if (!seen.Add(offset))
            {
                throw new InvalidDataException($"corrupt_tiff: directory {frames.Count + 1} loops back to an earlier one");
            }

            if (frames.Count >= maxPages)
            {
                throw new InvalidDataException($"too_many_pages: more than {maxPages} pages (Ingest:MaxPagesPerFile)");
            }

            if (offset + 2 > data.Length)
            {
                throw new InvalidDataException($"truncated_tiff: directory {frames.Count + 1} lies beyond the end of the file");
            }

            int count = ReadUInt16(data, (int)offset, little);
            long end = offset + 2 + (12L * count) + 4;
            if (end > data.Length)
            {
                throw new InvalidDataException($"truncated_tiff: directory {frames.Count + 1} is cut short");
            }

            frames.Add(ReadFrame(data, (int)offset + 2, count, little, frames.Count + 1));
            offset = ReadUInt32(data, (int)(end - 4), little);
        }

        if (frames.Count == 0)
        {
            throw new InvalidDataException("corrupt_tiff: the file holds no pages");
        }

        return frames;
    }

    private static FrameInfo ReadFrame(ReadOnlySpan<byte> data, int entries, int count, bool little, int page)
    {
        int width = 0;
        int height = 0;
        double? xres = null;
        int unit = 2;
        (int Type, long Count, int ValueOffset)? offsets = null;
        (int Type, long Count, int ValueOffset)? byteCounts = null;
        for (int i = 0; i < count; i++)
        {
            int e = entries + (12 * i);
            ushort tag = ReadUInt16(data, e, little);
            ushort type = ReadUInt16(data, e + 2, little);
            long n = ReadUInt32(data, e + 4, little);
            switch (tag)
            {
                case ImageWidth:
                    width = (int)ReadScalar(data, e + 8, type, little);
                    break;
                case ImageLength:
                    height = (int)ReadScalar(data, e + 8, type, little);
                    break;
                case ResolutionUnit:
                    unit = (int)ReadScalar(data, e + 8, type, little);
                    break;
                case XResolution when type == 5:
                    long at = ReadUInt32(data, e + 8, little);
                    if (at + 8 <= data.Length)
                    {
                        double num = ReadUInt32(data, (int)at, little);
                        double den = ReadUInt32(data, (int)at + 4, little);
                        xres = den == 0 ? null : num / den;
                    }

                    break;
                case StripOffsets or TileOffsets:
                    offsets = (type, n, e + 8);
                    break;
                case StripByteCounts or TileByteCounts:
                    byteCounts = (type, n, e + 8);
                    break;
            }
        }

        if (width <= 0 || height <= 0)
        {
            throw new InvalidDataException($"corrupt_tiff: page {page} has no image size");
        }

        if (offsets is null || byteCounts is null)
        {
            throw new InvalidDataException($"corrupt_tiff: page {page} has no image data");
        }

        long lastByte = LastByte(data, offsets.Value, byteCounts.Value, little);
        if (lastByte > data.Length)
        {
            throw new InvalidDataException($"truncated_tiff: page {page} image data runs past the end of the file ({lastByte} > {data.Length} bytes)");
        }

        int? dpi = xres is > 0 and var r ? (int)Math.Round(unit == 3 ? r * 2.54 : r) : null;
        return new FrameInfo(width, height, dpi);
    }

    private static long LastByte(ReadOnlySpan<byte> data, (int Type, long Count, int ValueOffset) offsets, (int Type, long Count, int ValueOffset) counts, bool little)
    {
        if (offsets.Count != counts.Count || offsets.Count > 1_000_000)
        {
            throw new InvalidDataException("corrupt_tiff: strip tables disagree");
        }

        long max = 0;
        for (int i = 0; i < offsets.Count; i++)
        {
            long start = Element(data, offsets, i, little);
            long length = Element(data, counts, i, little);
            max = Math.Max(max, start + length);
        }

        return max;
    }

    private static long Element(ReadOnlySpan<byte> data, (int Type, long Count, int ValueOffset) entry, int index, bool little)
    {
        int size = entry.Type == 3 ? 2 : 4;
        long position = entry.Count * size <= 4 ? entry.ValueOffset + (index * size) : ReadUInt32(data, entry.ValueOffset, little) + ((long)index * size);
        if (position + size > data.Length)
        {
            throw new InvalidDataException("truncated_tiff: a strip table lies beyond the end of the file");
        }

        return size == 2 ? ReadUInt16(data, (int)position, little) : ReadUInt32(data, (int)position, little);
    }

    private static long ReadScalar(ReadOnlySpan<byte> data, int at, ushort type, bool little) =>
        type == 3 ? ReadUInt16(data, at, little) : ReadUInt32(data, at, little);

    private static ushort ReadUInt16(ReadOnlySpan<byte> data, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(at, 2)) : BinaryPrimitives.ReadUInt16BigEndian(data.Slice(at, 2));

    private static uint ReadUInt32(ReadOnlySpan<byte> data, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(at, 4)) : BinaryPrimitives.ReadUInt32BigEndian(data.Slice(at, 4));
}
