using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Digitise.Domain;
using Digitise.Formats;

namespace Digitise.Output;

/// <summary>
/// One page of a searchable PDF: a page image drawn over the whole page and the words read from it, laid over the
/// image as invisible text.
/// </summary>
/// <param name="WidthPx">Width of the page in the pixels the word boxes are measured in.</param>
/// <param name="HeightPx">Height of the page in the pixels the word boxes are measured in.</param>
/// <param name="Dpi">Resolution of those pixels; sets the page size (1 px = 72 / Dpi points).</param>
/// <param name="Image">PNG, JPEG or G4 TIFF (by magic bytes) stretched over the whole page; empty for a page without an image.</param>
/// <param name="Words">Word boxes in pixels, origin top-left, Y down (see <see cref="PixelBox"/>).</param>
public sealed record SearchablePage(int WidthPx, int HeightPx, int Dpi, ReadOnlyMemory<byte> Image, IReadOnlyList<Word> Words);

/// <summary>
/// Writes a searchable PDF page by page to a stream (flat memory: one page image at a time), aiming at PDF/A-2b:
/// XMP metadata with the PDF/A identification, an sRGB output intent, no encryption, a file identifier, and images
/// passed through without re-encoding (PNG data as Flate with the PNG predictor, JPEG as DCT, a G4 TIFF's strip as CCITT fax). The text is drawn in
/// rendering mode 3 (invisible) with a non-embedded font whose every glyph is half an em wide, horizontally scaled so
/// each word spans its box; PDF/A-2 does not require embedding fonts used only for invisible text.
/// </summary>
public sealed class SearchablePdfWriter : IDisposable
{
    private const int CatalogId = 1;
    private const int PagesId = 2;
    private const int MetadataId = 3;
    private const int ProfileId = 4;
    private const int FontId = 5;
    private const int FontDescriptorId = 6;
    private const int InfoId = 7;
    private const double GlyphWidth = 0.5;

    private readonly Stream _output;
    private readonly string _title;
    private readonly DateTimeOffset _created;
    private readonly List<long> _offsets = [];
    private readonly List<int> _pageIds = [];
    private long _position;
    private int _nextId = InfoId + 1;
    private bool _finished;

    /// <param name="title">The document's title (an id, never patient data: the file may travel).</param>
    public SearchablePdfWriter(Stream output, string title, DateTimeOffset created)
    {
        _output = output;
        _title = title;
        _created = created.ToUniversalTime();
        Write("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n");
    }

    public int PageCount => _pageIds.Count;

    /// <summary>Adds a page.</summary>
    /// <exception cref="InvalidDataException">The page image is not a PNG, JPEG or G4 TIFF this writer can pass through.</exception>
    public void AddPage(SearchablePage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        ObjectDisposedException.ThrowIf(_finished, this);
        double scale = 72.0 / (page.Dpi > 0 ? page.Dpi : 300);
        double width = Math.Max(1, page.WidthPx) * scale;
        double height = Math.Max(1, page.HeightPx) * scale;

        int? imageId = null;
        if (!page.Image.IsEmpty)
        {
            imageId = _nextId++;
            WriteImage(imageId.Value, page.Image.Span);
        }

        var content = new StringBuilder();
        if (imageId is not null)
        {
            content.Append(Inv($"q {width:0.###} 0 0 {height:0.###} 0 0 cm /Im0 Do Q\n"));
        }

        AppendText(content, page.Words, scale, height);
        int contentId = _nextId++;
        WriteStream(contentId, string.Empty, Latin1(content.ToString()), compress: true);

        int pageId = _nextId++;
        string xobject = imageId is null ? string.Empty : Inv($" /XObject << /Im0 {imageId} 0 R >>");
        WriteObject(pageId, Inv($"<< /Type /Page /Parent {PagesId} 0 R /MediaBox [0 0 {width:0.###} {height:0.###}] /Resources << /Font << /F1 {FontId} 0 R >>{xobject} >> /Contents {contentId} 0 R >>"));
        _pageIds.Add(pageId);
    }

    /// <summary>Writes the document catalogue, metadata and cross-reference table. The stream stays open.</summary>
    public void Finish()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _finished = true;
        string kids = string.Join(' ', _pageIds.Select(id => Inv($"{id} 0 R")));
        WriteObject(PagesId, Inv($"<< /Type /Pages /Kids [{kids}] /Count {_pageIds.Count} >>"));
        WriteObject(CatalogId, Inv($"<< /Type /Catalog /Pages {PagesId} 0 R /Metadata {MetadataId} 0 R /OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1) /Info (sRGB IEC61966-2.1) /DestOutputProfile {ProfileId} 0 R >>] >>"));
        WriteStream(MetadataId, "/Type /Metadata /Subtype /XML", Encoding.UTF8.GetBytes(Xmp()), compress: false);
        WriteStream(ProfileId, "/N 3", IccProfiles.SRgb(), compress: true);
        string widths = string.Join(' ', Enumerable.Repeat(((int)(GlyphWidth * 1000)).ToString(CultureInfo.InvariantCulture), 224));
        WriteObject(FontId, Inv($"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /FirstChar 32 /LastChar 255 /Widths [{widths}] /FontDescriptor {FontDescriptorId} 0 R >>"));
        WriteObject(FontDescriptorId, "<< /Type /FontDescriptor /FontName /Helvetica /Flags 32 /FontBBox [-166 -225 1000 931] /ItalicAngle 0 /Ascent 718 /Descent -207 /CapHeight 718 /StemV 88 >>");
        WriteObject(InfoId, Inv($"<< /Title {PdfString(_title)} /Producer (Digitise) /CreationDate (D:{_created:yyyyMMddHHmmss}Z) >>"));

        long xref = _position;
        var table = new StringBuilder();
        table.Append(Inv($"xref\n0 {_nextId}\n0000000000 65535 f \n"));
        for (int id = 1; id < _nextId; id++)
        {
            long offset = id - 1 < _offsets.Count ? _offsets[id - 1] : 0;
            table.Append(offset > 0 ? Inv($"{offset:D10} 00000 n \n") : "0000000000 65535 f \n");
        }

        string fileId = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Inv($"{_title}|{_created:O}|{_pageIds.Count}")))[..16]);
        table.Append(Inv($"trailer\n<< /Size {_nextId} /Root {CatalogId} 0 R /Info {InfoId} 0 R /ID [<{fileId}> <{fileId}>] >>\nstartxref\n{xref}\n%%EOF\n"));
        Write(table.ToString());
        _output.Flush();
    }

    public void Dispose() => _finished = true;

    private static void AppendText(StringBuilder content, IReadOnlyList<Word> words, double scale, double pageHeight)
    {
        if (words.Count == 0)
        {
            return;
        }

        content.Append("BT\n3 Tr\n");
        foreach (Word word in words)
        {
            string text = word.Text.Trim();
            if (text.Length == 0 || word.Box.Width <= 0 || word.Box.Height <= 0)
            {
                continue;
            }

            double size = Math.Max(1, word.Box.Height * scale);
            double x = word.Box.Left * scale;
            double baseline = pageHeight - (word.Box.Bottom * scale) + (0.15 * size);
            double stretch = 100.0 * word.Box.Width * scale / (text.Length * GlyphWidth * size);
            content.Append(Inv($"/F1 {size:0.##} Tf {stretch:0.##} Tz 1 0 0 1 {x:0.##} {baseline:0.##} Tm {PdfString(text)} Tj\n"));
        }

        content.Append("ET\n");
    }

    private void WriteImage(int id, ReadOnlySpan<byte> image)
    {
        if (image.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            PngImage png = PngImage.Parse(image);
            string colours = png.ColourType switch
            {
                0 => "/DeviceGray",
                2 => "/DeviceRGB",
                _ => Inv($"[/Indexed /DeviceRGB {(png.Palette.Length / 3) - 1} <{Convert.ToHexString(png.Palette)}>]"),
            };
            int channels = png.ColourType == 2 ? 3 : 1;
            WriteStream(id,
                Inv($"/Type /XObject /Subtype /Image /Width {png.Width} /Height {png.Height} /ColorSpace {colours} /BitsPerComponent {png.BitDepth} /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors {channels} /BitsPerComponent {png.BitDepth} /Columns {png.Width} >>"),
                png.Data, compress: false);
        }
        else if (image.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8]))
        {
            (int width, int height, int components) = JpegFrame(image);
            string colours = components switch
            {
                1 => "/DeviceGray",
                3 => "/DeviceRGB",
                _ => throw new InvalidDataException($"JPEG page images with {components} components are not supported"),
            };
            WriteStream(id, Inv($"/Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace {colours} /BitsPerComponent 8 /Filter /DCTDecode"), image.ToArray(), compress: false);
        }
        else if (image.StartsWith("II*\0"u8) || image.StartsWith("MM\0*"u8))
        {
            G4Image g4 = G4Image.Parse(image);
            WriteStream(id,
                Inv($"/Type /XObject /Subtype /Image /Width {g4.Width} /Height {g4.Height} /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns {g4.Width} /Rows {g4.Height} /BlackIs1 {(g4.BlackIsZero ? "true" : "false")} >>"),
                g4.Data, compress: false);
        }
        else
        {
            throw new InvalidDataException("a page image is neither PNG, JPEG nor TIFF");
        }
    }

    private static (int Width, int Height, int Components) JpegFrame(ReadOnlySpan<byte> jpeg)
    {
        int i = 2;
        while (i + 9 < jpeg.Length)
        {
            if (jpeg[i] != 0xFF)
            {
                i++;
                continue;
            }

            byte marker = jpeg[i + 1];
            if (marker is 0xFF or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                i += marker == 0xFF ? 1 : 2;
                continue;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(i + 2)..]);
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                int height = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(i + 5)..]);
                int width = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(i + 7)..]);
                return (width, height, jpeg[i + 9]);
            }

            i += 2 + length;
        }

        throw new InvalidDataException("a JPEG page image has no frame header");
    }

    private string Xmp()
    {
        string created = _created.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        string title = System.Security.SecurityElement.Escape(_title);
        return "<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n" +
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n" +
            " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n" +
            "  <rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n" +
            "   <pdfaid:part>2</pdfaid:part>\n   <pdfaid:conformance>B</pdfaid:conformance>\n" +
            $"   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n" +
            $"   <xmp:CreateDate>{created}</xmp:CreateDate>\n" +
            "   <pdf:Producer>Digitise</pdf:Producer>\n" +
            "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>";
    }

    /// <summary>A literal string in WinAnsiEncoding: characters it cannot show become '?'.</summary>
    private static string PdfString(string text)
    {
        var s = new StringBuilder(text.Length + 2).Append('(');
        foreach (char c in text)
        {
            char mapped = c switch
            {
                '\\' or '(' or ')' => c,
                >= ' ' and <= '~' => c,
                >= '\u00a0' and <= '\u00ff' => c,
                '\u2018' => '\u0091',
                '\u2019' => '\u0092',
                '\u201c' => '\u0093',
                '\u201d' => '\u0094',
                '\u2013' => '\u0096',
                '\u2014' => '\u0097',
                '\u20ac' => '\u0080',
                _ => '?',
            };
            if (mapped is '\\' or '(' or ')')
            {
                s.Append('\\');
            }

            s.Append(mapped);
        }

        return s.Append(')').ToString();
    }

    private void WriteObject(int id, string body)
    {
        MarkObject(id);
        Write(Inv($"{id} 0 obj\n{body}\nendobj\n"));
    }

    private void WriteStream(int id, string dictionary, byte[] data, bool compress)
    {
        if (compress)
        {
            using var packed = new MemoryStream();
            using (var zlib = new ZLibStream(packed, CompressionLevel.Optimal, leaveOpen: true))
            {
                zlib.Write(data);
            }

            data = packed.ToArray();
            dictionary = (dictionary + " /Filter /FlateDecode").Trim();
        }

        MarkObject(id);
        Write(Inv($"{id} 0 obj\n<< {dictionary} /Length {data.Length} >>\nstream\n"));
        _output.Write(data);
        _position += data.Length;
        Write("\nendstream\nendobj\n");
    }

    private void MarkObject(int id)
    {
        while (_offsets.Count < id)
        {
            _offsets.Add(0);
        }

        _offsets[id - 1] = _position;
    }

    private void Write(string text)
    {
        byte[] bytes = Latin1(text);
        _output.Write(bytes);
        _position += bytes.Length;
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The parts of a single-strip CCITT Group 4 TIFF (as Leptonica writes a bitonal page) a PDF image needs: the strip is
    /// the fax data CCITTFaxDecode reads, as it is.
    /// </summary>
    /// <param name="BlackIsZero">
    /// Photometric min-is-black: the fax coder's white runs are then the page's black, which PDF's /BlackIs1 true undoes.
    /// </param>
    private sealed record G4Image(int Width, int Height, bool BlackIsZero, byte[] Data)
    {
        public static G4Image Parse(ReadOnlySpan<byte> tiff)
        {
            TiffPage page = TiffStructure.ReadPages(tiff, maxPages: 1)[0];
            if (page is not { Compression: 4, BitsPerSample: 1, Photometric: 0 or 1, FillOrder: 1, Tiled: false, Strips: [{ Length: > 0 } strip] })
            {
                throw new InvalidDataException(
                    $"TIFF page images must be one strip of 1-bit CCITT Group 4 (compression {page.Compression}, {page.BitsPerSample} bits, photometric {page.Photometric}, fill order {page.FillOrder}, {page.Strips.Count} strips)");
            }

            return new G4Image(page.Width, page.Height, page.Photometric == 1, tiff.Slice((int)strip.Offset, (int)strip.Length).ToArray());
        }
    }

    /// <summary>The parts of a PNG a PDF image needs: the zlib stream of its IDAT chunks stays as it is.</summary>
    private sealed record PngImage(int Width, int Height, int BitDepth, int ColourType, byte[] Palette, byte[] Data)
    {
        public static PngImage Parse(ReadOnlySpan<byte> png)
        {
            int width = 0, height = 0, depth = 0, colour = -1, interlace = 0;
            byte[] palette = [];
            using var data = new MemoryStream();
            int i = 8;
            while (i + 8 <= png.Length)
            {
                int length = BinaryPrimitives.ReadInt32BigEndian(png[i..]);
                ReadOnlySpan<byte> type = png.Slice(i + 4, 4);
                if (length < 0 || i + 12 + length > png.Length)
                {
                    throw new InvalidDataException("a PNG page image is truncated");
                }

                ReadOnlySpan<byte> body = png.Slice(i + 8, length);
                if (type.SequenceEqual("IHDR"u8))
                {
                    width = BinaryPrimitives.ReadInt32BigEndian(body);
                    height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                    depth = body[8];
                    colour = body[9];
                    interlace = body[12];
                }
                else if (type.SequenceEqual("PLTE"u8))
                {
                    palette = body.ToArray();
                }
                else if (type.SequenceEqual("IDAT"u8))
                {
                    data.Write(body);
                }
                else if (type.SequenceEqual("IEND"u8))
                {
                    break;
                }

                i += 12 + length;
            }

            if (colour is not (0 or 2 or 3) || interlace != 0 || (colour == 3 && palette.Length == 0) || data.Length == 0)
            {
                throw new InvalidDataException($"PNG page images of colour type {colour} (interlace {interlace}) are not supported; only grey, RGB and palette");
            }

            return new PngImage(width, height, depth, colour, palette, data.ToArray());
        }
    }
}
