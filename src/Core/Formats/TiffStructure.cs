using System.Buffers.Binary;

namespace Digitise.Formats;

/// <summary>One strip or tile of a TIFF page: where its compressed bytes are in the file.</summary>
/// <param name="Offset">Byte offset from the start of the file.</param>
/// <param name="Length">Length in bytes.</param>
public readonly record struct TiffStrip(long Offset, long Length);

/// <summary>
/// One page (image file directory) of a classic TIFF, as its tags state it: what the readers of a page need before they
/// decode it or pass its data on.
/// </summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Dpi">Horizontal resolution in dots per inch (centimetre units converted), or null when not stated.</param>
/// <param name="BitsPerSample">Bits of the first sample (1 when the tag is absent, as the TIFF specification says).</param>
/// <param name="Compression">The Compression tag: 1 none, 2 CCITT modified Huffman, 4 CCITT Group 4, 5 LZW, 7 JPEG...</param>
/// <param name="Photometric">The PhotometricInterpretation tag: 0 white is zero, 1 black is zero, 2 RGB...; -1 when absent.</param>
/// <param name="FillOrder">The FillOrder tag: 1 (most significant bit first) unless stated otherwise.</param>
/// <param name="Tiled">Whether the data is in tiles rather than strips.</param>
/// <param name="Strips">Every strip or tile, each checked to lie inside the file.</param>
public sealed record TiffPage(int Width, int Height, int? Dpi, int BitsPerSample, int Compression, int Photometric, int FillOrder, bool Tiled, IReadOnlyList<TiffStrip> Strips);

/// <summary>
/// Walks a classic TIFF's chain of image file directories (IFDs) and reads each page's tags, checking that every
/// directory, strip table and strip lies inside the file and that the chain does not loop, so a truncated or hostile file
/// is refused before anything decodes it. Errors are <see cref="InvalidDataException"/>s whose message starts with a
/// quarantine reason code (<c>truncated_tiff</c>, <c>corrupt_tiff</c>, <c>too_many_pages</c>).
/// </summary>
public static class TiffStructure
{
    private const ushort ImageWidth = 256;
    private const ushort ImageLength = 257;
    private const ushort BitsPerSampleTag = 258;
    private const ushort CompressionTag = 259;
    private const ushort PhotometricTag = 262;
    private const ushort FillOrderTag = 266;
    private const ushort StripOffsets = 273;
    private const ushort StripByteCounts = 279;
    private const ushort XResolution = 282;
    private const ushort ResolutionUnit = 296;
    private const ushort TileOffsets = 324;
    private const ushort TileByteCounts = 325;
    /// <summary>Strips or tiles in the whole file, all pages together (directories may share one strip table).</summary>
    internal const int MaxStrips = 1_000_000;

    /// <summary>Reads every page's tags.</summary>
    /// <param name="data">The whole file.</param>
    /// <param name="maxPages">More pages than this is refused (<c>too_many_pages</c>) before they are read.</param>
    /// <exception cref="InvalidDataException">The file is not a readable classic TIFF; the message names what is wrong.</exception>
    public static IReadOnlyList<TiffPage> ReadPages(ReadOnlySpan<byte> data, int maxPages = int.MaxValue)
    {
        if (data.Length < 8)
        {
            throw new InvalidDataException("truncated_tiff: the header is incomplete");
        }

        if (!(data[0] == data[1] && data[0] is (byte)'I' or (byte)'M'))
        {
            throw new InvalidDataException("corrupt_tiff: the byte order mark is neither II nor MM");
        }

        bool little = data[0] == 'I';
        long offset = ReadUInt32(data, 4, little);
        var pages = new List<TiffPage>();
        var seen = new HashSet<long>();
        int strips = 0;
        while (offset != 0)
        {
            if (!seen.Add(offset))
            {
                throw new InvalidDataException($"corrupt_tiff: directory {pages.Count + 1} loops back to an earlier one");
            }

            if (pages.Count >= maxPages)
            {
                throw new InvalidDataException($"too_many_pages: more than {maxPages} pages (Ingest:MaxPagesPerFile)");
            }

            if (offset + 2 > data.Length)
            {
                throw new InvalidDataException($"truncated_tiff: directory {pages.Count + 1} lies beyond the end of the file");
            }

            int count = ReadUInt16(data, (int)offset, little);
            long end = offset + 2 + (12L * count) + 4;
            if (end > data.Length)
            {
                throw new InvalidDataException($"truncated_tiff: directory {pages.Count + 1} is cut short");
            }

            TiffPage page = ReadPage(data, (int)offset + 2, count, little, pages.Count + 1, MaxStrips - strips);
            strips += page.Strips.Count;
            pages.Add(page);
            offset = ReadUInt32(data, (int)(end - 4), little);
        }

        if (pages.Count == 0)
        {
            throw new InvalidDataException("corrupt_tiff: the file holds no pages");
        }

        return pages;
    }

    private static TiffPage ReadPage(ReadOnlySpan<byte> data, int entries, int count, bool little, int page, int stripsLeft)
    {
        int width = 0;
        int height = 0;
        int bits = 1;
        int compression = 1;
        int photometric = -1;
        int fillOrder = 1;
        double? xres = null;
        int unit = 2;
        bool tiled = false;
        Entry? offsets = null;
        Entry? byteCounts = null;
        for (int i = 0; i < count; i++)
        {
            int at = entries + (12 * i);
            var entry = new Entry(ReadUInt16(data, at + 2, little), ReadUInt32(data, at + 4, little), at + 8);
            switch (ReadUInt16(data, at, little))
            {
                case ImageWidth:
                    width = Size(Element(data, entry, 0, little));
                    break;
                case ImageLength:
                    height = Size(Element(data, entry, 0, little));
                    break;
                case BitsPerSampleTag:
                    bits = (int)Element(data, entry, 0, little);
                    break;
                case CompressionTag:
                    compression = (int)Element(data, entry, 0, little);
                    break;
                case PhotometricTag:
                    photometric = (int)Element(data, entry, 0, little);
                    break;
                case FillOrderTag:
                    fillOrder = (int)Element(data, entry, 0, little);
                    break;
                case ResolutionUnit:
                    unit = (int)Element(data, entry, 0, little);
                    break;
                case XResolution when entry.Type == 5:
                    long rational = ReadUInt32(data, entry.ValueAt, little);
                    if (rational + 8 <= data.Length)
                    {
                        double num = ReadUInt32(data, (int)rational, little);
                        double den = ReadUInt32(data, (int)rational + 4, little);
                        xres = den == 0 ? null : num / den;
                    }

                    break;
                case StripOffsets:
                    offsets = entry;
                    break;
                case TileOffsets:
                    offsets = entry;
                    tiled = true;
                    break;
                case StripByteCounts or TileByteCounts:
                    byteCounts = entry;
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

        TiffStrip[] strips = ReadStrips(data, offsets.Value, byteCounts.Value, little, stripsLeft);
        long lastByte = strips.Length == 0 ? 0 : strips.Max(s => s.Offset + s.Length);
        if (lastByte > data.Length)
        {
            throw new InvalidDataException($"truncated_tiff: page {page} image data runs past the end of the file ({lastByte} > {data.Length} bytes)");
        }

        int? dpi = xres is > 0 and var r ? (int)Math.Round(unit == 3 ? r * 2.54 : r) : null;
        return new TiffPage(width, height, dpi, bits, compression, photometric, fillOrder, tiled, strips);
    }

    private static TiffStrip[] ReadStrips(ReadOnlySpan<byte> data, Entry offsets, Entry counts, bool little, int stripsLeft)
    {
        if (offsets.Count != counts.Count)
        {
            throw new InvalidDataException("corrupt_tiff: strip tables disagree");
        }

        if (offsets.Count > stripsLeft)
        {
            throw new InvalidDataException($"corrupt_tiff: more than {MaxStrips} strips in the file");
        }

        var strips = new TiffStrip[offsets.Count];
        for (int i = 0; i < strips.Length; i++)
        {
            strips[i] = new TiffStrip(Element(data, offsets, i, little), Element(data, counts, i, little));
        }

        return strips;
    }

    /// <summary>The index-th value of a SHORT or LONG entry, inline when it fits in four bytes, else at its offset.</summary>
    private static long Element(ReadOnlySpan<byte> data, Entry entry, int index, bool little)
    {
        int size = entry.Type == 3 ? 2 : 4;
        long position = entry.Count * size <= 4 ? entry.ValueAt + (index * size) : ReadUInt32(data, entry.ValueAt, little) + ((long)index * size);
        if (position + size > data.Length)
        {
            throw new InvalidDataException("truncated_tiff: a tag's values lie beyond the end of the file");
        }

        return size == 2 ? ReadUInt16(data, (int)position, little) : ReadUInt32(data, (int)position, little);
    }

    /// <summary>A width or height; one that does not fit an int reads as 0, so the page is refused as having no size.</summary>
    private static int Size(long value) => value > int.MaxValue ? 0 : (int)value;

    private static ushort ReadUInt16(ReadOnlySpan<byte> data, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(at, 2)) : BinaryPrimitives.ReadUInt16BigEndian(data.Slice(at, 2));

    private static uint ReadUInt32(ReadOnlySpan<byte> data, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(at, 4)) : BinaryPrimitives.ReadUInt32BigEndian(data.Slice(at, 4));

    /// <summary>A directory entry: its field type, value count and where its value (or the offset to it) sits.</summary>
    private readonly record struct Entry(ushort Type, long Count, int ValueAt);
}
