using System.Buffers.Binary;
using Digitise.Formats;
using Digitise.Ocr.Imaging;
using Digitise.Testing;

namespace Digitise.Ingest.Tests;

public sealed class TiffStructureTests
{
    [CorpusTheory]
    [InlineData(TiffCompression.G4, 4, 1)]
    [InlineData(TiffCompression.Lzw, 5, 8)]
    [InlineData(TiffCompression.None, 1, 8)]
    public void ReadPages_FilesLibtiffWrote_StateEachPagesTags(TiffCompression compression, int code, int bits)
    {
        using PageBitmap page = PageBitmap.Decode(File.ReadAllBytes(TestPaths.Shared("corpora", "tesseract-test", "phototest.tif")), Domain.SourceFormat.Tiff);
        byte[] png = page.ToPng();
        string path = Path.Combine(Path.GetTempPath(), $"digitise-tiffstructure-{Guid.NewGuid():N}.tif");
        try
        {
            TiffWriter.Write(path, [png, png], compression, 300);
            byte[] data = File.ReadAllBytes(path);

            IReadOnlyList<TiffPage> pages = TiffStructure.ReadPages(data);

            Assert.Equal(2, pages.Count);
            Assert.All(pages, p =>
            {
                Assert.Equal((page.Width, page.Height, (int?)300), (p.Width, p.Height, p.Dpi));
                Assert.Equal((code, bits), (p.Compression, p.BitsPerSample));
                Assert.NotEmpty(p.Strips);
                Assert.All(p.Strips, s => Assert.InRange(s.Offset + s.Length, 9, data.Length));
            });
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadPages_BigEndianWithStripTableOutOfLine_ReadsEveryStripAndCentimetreResolution()
    {
        // 118.11 pixels a centimetre is 300 dpi; two strips make the offsets and counts arrays stored outside the entry.
        byte[] data = Tiff(bigEndian: true, width: 40, height: 20, stripCount: 2, xResolution: (11811, 100), unit: 3);

        TiffPage page = Assert.Single(TiffStructure.ReadPages(data));

        Assert.Equal((40, 20, (int?)300, 4, 0, false), (page.Width, page.Height, page.Dpi, page.Compression, page.Photometric, page.Tiled));
        Assert.Equal([new TiffStrip(StripData, 10), new TiffStrip(StripData + 10, 10)], page.Strips);
    }

    [Fact]
    public void ReadPages_DirectoryPointingAtItself_RefusedAsALoop()
    {
        byte[] data = Tiff(bigEndian: false, width: 40, height: 20, stripCount: 1, xResolution: (300, 1), unit: 2);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(NextIfdAt(data)), 8);

        InvalidDataException refused = Assert.Throws<InvalidDataException>(() => TiffStructure.ReadPages(data));

        Assert.StartsWith("corrupt_tiff: directory 2 loops back", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadPages_StripRunningPastTheEnd_RefusedAsTruncated()
    {
        byte[] data = Tiff(bigEndian: false, width: 40, height: 20, stripCount: 2, xResolution: (300, 1), unit: 2);

        InvalidDataException refused = Assert.Throws<InvalidDataException>(() => TiffStructure.ReadPages(data.AsSpan(0, data.Length - 1)));

        Assert.StartsWith("truncated_tiff: page 1 image data runs past the end", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadPages_MorePagesThanAllowed_RefusedBeforeReadingThem()
    {
        byte[] data = Tiff(bigEndian: false, width: 40, height: 20, stripCount: 1, xResolution: (300, 1), unit: 2);

        InvalidDataException refused = Assert.Throws<InvalidDataException>(() => TiffStructure.ReadPages(data, maxPages: 0));

        Assert.StartsWith("too_many_pages", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadPages_DirectoriesSharingOneHugeStripTable_RefusedBeforeAllocatingEach()
    {
        // Two directories whose strip offsets and counts both point at one table of 500,001 zeros: a million strips in a
        // 1 MB file, and many more directories would ask for gigabytes of strip records.
        const int strips = 500_001;
        const int table = 8 + (2 * 62);
        var data = new byte[table + (2 * strips)];
        "II*\0"u8.CopyTo(data);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), 8);
        for (int d = 0; d < 2; d++)
        {
            int at = 8 + (62 * d);
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(at), 4);
            (int Tag, int Type, int Count, int Value)[] entries = [(256, 4, 1, 10), (257, 4, 1, 10), (273, 3, strips, table), (279, 3, strips, table)];
            for (int e = 0; e < entries.Length; e++)
            {
                Span<byte> entry = data.AsSpan(at + 2 + (12 * e), 12);
                BinaryPrimitives.WriteUInt16LittleEndian(entry, (ushort)entries[e].Tag);
                BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], (ushort)entries[e].Type);
                BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], (uint)entries[e].Count);
                BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], (uint)entries[e].Value);
            }

            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at + 2 + 48), d == 0 ? 8u + 62u : 0u);
        }

        InvalidDataException refused = Assert.Throws<InvalidDataException>(() => TiffStructure.ReadPages(data));

        Assert.Equal("corrupt_tiff: more than 1000000 strips in the file", refused.Message);
    }

    [Fact]
    public void ReadPages_WidthBeyondAnInt_RefusedAsHavingNoSize()
    {
        byte[] data = Tiff(bigEndian: false, width: 40, height: 20, stripCount: 1, xResolution: (300, 1), unit: 2);

        // The width entry (the first) as a LONG of 2^31.
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(10 + 2), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(10 + 8), 0x8000_0000);

        InvalidDataException refused = Assert.Throws<InvalidDataException>(() => TiffStructure.ReadPages(data));

        Assert.Equal("corrupt_tiff: page 1 has no image size", refused.Message);
    }

    private const int StripData = 300;

    /// <summary>
    /// A one-page TIFF laid out by hand: header, one directory at 8, then the out-of-line values (strip offsets at 200,
    /// counts at 240, the resolution at 280) and strips of 10 bytes each from <see cref="StripData"/>.
    /// </summary>
    private static byte[] Tiff(bool bigEndian, int width, int height, int stripCount, (uint Num, uint Den) xResolution, int unit)
    {
        var data = new byte[StripData + (10 * stripCount)];
        void U16(int at, int v)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(at), (ushort)v);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(at), (ushort)v);
            }
        }

        void U32(int at, uint v)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(at), v);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at), v);
            }
        }

        data[0] = data[1] = bigEndian ? (byte)'M' : (byte)'I';
        U16(2, 42);
        U32(4, 8);
        (int Tag, int Type, uint Count, uint Value)[] entries =
        [
            (256, 3, 1, (uint)width),
            (257, 3, 1, (uint)height),
            (259, 3, 1, 4),
            (262, 3, 1, 0),
            (273, 4, (uint)stripCount, stripCount == 1 ? (uint)StripData : 200u),
            (279, 4, (uint)stripCount, stripCount == 1 ? 10u : 240u),
            (282, 5, 1, 280),
            (296, 3, 1, (uint)unit),
        ];
        U16(8, entries.Length);
        for (int i = 0; i < entries.Length; i++)
        {
            int at = 10 + (12 * i);
            (int tag, int type, uint count, uint value) = entries[i];
            U16(at, tag);
            U16(at + 2, type);
            U32(at + 4, count);
            if (type == 3)
            {
                U16(at + 8, (int)value);
            }
            else
            {
                U32(at + 8, value);
            }
        }

        U32(10 + (12 * entries.Length), 0);
        for (int s = 0; s < stripCount; s++)
        {
            U32(200 + (4 * s), (uint)(StripData + (10 * s)));
            U32(240 + (4 * s), 10);
        }

        U32(280, xResolution.Num);
        U32(284, xResolution.Den);
        return data;
    }

    private static int NextIfdAt(byte[] data) => 10 + (12 * BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(8)));
}
