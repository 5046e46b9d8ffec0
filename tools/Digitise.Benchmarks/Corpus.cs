using System.Diagnostics;
using System.Globalization;
using Digitise.Domain;
using Digitise.Ocr.Imaging;
using Digitise.Samples;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Writer;

namespace Digitise.Benchmarks;

/// <summary>
/// One set of pages every row runs on, cached under <c>artifacts/bench/corpus/p{pages}-s{seed}</c>:
/// <c>documents/</c> (generated scans as the pipeline receives them: multi-page TIFFs, PNGs, JPEGs; PDFs are left out
/// so every page is OCRed), <c>pages/</c> (the same pages one file each, for the tesseract command line),
/// <c>mpi.csv</c> and, on demand, <c>pages.pdf</c> (an image PDF of the same pages, for ocrmypdf).
/// </summary>
internal sealed record Corpus(string Directory, int Pages, int Documents, IReadOnlyList<string> PageFiles)
{
    private const string Marker = "corpus.txt";

    private static readonly string[] ImageFormats = ["tiff_g4", "tiff_lzw", "tiff_none", "png", "jpeg"];

    public string DocumentsDirectory => Path.Combine(Directory, "documents");

    public string PagesDirectory => Path.Combine(Directory, "pages");

    public string MpiCsv => Path.Combine(Directory, "mpi.csv");

    public string PdfPath => Path.Combine(Directory, "pages.pdf");

    /// <summary>Loads the cached corpus of <paramref name="pages"/> pages for <paramref name="seed"/>, generating it when missing.</summary>
    public static Corpus GetOrCreate(string benchDirectory, int pages, int seed, TextWriter log)
    {
        string dir = Path.Combine(benchDirectory, "corpus", string.Create(CultureInfo.InvariantCulture, $"p{pages}-s{seed}"));
        string marker = Path.Combine(dir, Marker);
        if (File.Exists(marker) && Load(dir, pages) is { } cached)
        {
            log.WriteLine($"digitise-bench: corpus {dir} (cached)");
            return cached;
        }

        if (System.IO.Directory.Exists(dir))
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }

        long started = Stopwatch.GetTimestamp();
        // Not every generated document is an image file (PDFs are left out), so ask for a few more documents than pages.
        int documents = pages + (pages / 4) + 10;
        string samples = Path.Combine(dir, "samples");
        while (true)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"digitise-bench: generating {documents} sample documents (seed {seed}) for a {pages}-page corpus ..."));
            long generating = Stopwatch.GetTimestamp();
            SampleSet set = SampleGenerator.Generate(new SampleOptions { OutputDirectory = samples, Documents = documents, Seed = seed });
            double seconds = Stopwatch.GetElapsedTime(generating).TotalSeconds;

            // The sample generator's speed is a figure here, not a timed test (it was one, and failed on a busy machine).
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"digitise-bench: sample generator: {documents} documents in {seconds:0.0} s ({documents / Math.Max(seconds, 1e-9):0.0} documents/s)"));
            List<SampleDocument>? chosen = Choose(set.Documents, pages);
            if (chosen is not null)
            {
                Populate(dir, set, chosen);
                break;
            }

            documents = documents * 3 / 2;
        }

        System.IO.Directory.Delete(samples, recursive: true);
        File.WriteAllText(marker, string.Create(CultureInfo.InvariantCulture, $"pages={pages}\nseed={seed}\n"));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"digitise-bench: corpus {dir} ready in {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s"));
        return Load(dir, pages) ?? throw new InvalidOperationException($"The corpus in {dir} is incomplete.");
    }

    /// <summary>Image documents, in generator order, adding up to exactly <paramref name="pages"/> pages; null when there are too few.</summary>
    private static List<SampleDocument>? Choose(IReadOnlyList<SampleDocument> documents, int pages)
    {
        var chosen = new List<SampleDocument>();
        int total = 0;
        foreach (SampleDocument document in documents)
        {
            if (total == pages)
            {
                break;
            }

            if (ImageFormats.Contains(document.Format) && total + document.Pages <= pages)
            {
                chosen.Add(document);
                total += document.Pages;
            }
        }

        return total == pages ? chosen : null;
    }

    private static void Populate(string dir, SampleSet set, List<SampleDocument> chosen)
    {
        string documents = Path.Combine(dir, "documents");
        string pageFiles = Path.Combine(dir, "pages");
        System.IO.Directory.CreateDirectory(documents);
        System.IO.Directory.CreateDirectory(pageFiles);
        File.Copy(set.MpiCsv, Path.Combine(dir, "mpi.csv"));
        foreach (SampleDocument document in chosen)
        {
            string source = Path.Combine(set.OutputDirectory, document.SourceFile);
            string name = Path.GetFileName(source);
            File.Copy(source, Path.Combine(documents, name));
            string stem = Path.GetFileNameWithoutExtension(name);
            string extension = Path.GetExtension(name);
            if (!document.Format.StartsWith("tiff", StringComparison.Ordinal))
            {
                File.Copy(source, Path.Combine(pageFiles, stem + "-p01" + extension));
                continue;
            }

            // One single-page TIFF per frame: same pixels, resolution and compression.
            byte[] data = File.ReadAllBytes(source);
            TiffCompression compression = document.Format switch
            {
                "tiff_g4" => TiffCompression.G4,
                "tiff_lzw" => TiffCompression.Lzw,
                _ => TiffCompression.None,
            };
            for (int frame = 0; frame < document.Pages; frame++)
            {
                using PageBitmap page = PageBitmap.Decode(data, SourceFormat.Tiff, frame);
                string path = Path.Combine(pageFiles, string.Create(CultureInfo.InvariantCulture, $"{stem}-p{frame + 1:D2}{extension}"));
                TiffWriter.Write(path, [page.ToPng()], compression, page.Dpi > 0 ? page.Dpi : document.Dpi);
            }
        }
    }

    private static Corpus? Load(string dir, int pages)
    {
        string pageDir = Path.Combine(dir, "pages");
        string documentDir = Path.Combine(dir, "documents");
        if (!System.IO.Directory.Exists(pageDir) || !System.IO.Directory.Exists(documentDir) || !File.Exists(Path.Combine(dir, "mpi.csv")))
        {
            return null;
        }

        List<string> files = [.. System.IO.Directory.GetFiles(pageDir).Order(StringComparer.Ordinal)];
        int documents = System.IO.Directory.GetFiles(documentDir).Length;
        return files.Count == pages ? new Corpus(dir, pages, documents, files) : null;
    }

    /// <summary>
    /// The first documents of this corpus (in name order) that hold exactly <paramref name="pages"/> pages, as links in
    /// <paramref name="directory"/>: a smaller batch of the same kind of pages, matched against the same MPI, so a memory
    /// comparison of the two differs in pages only. Null when no run of whole documents adds up to that many.
    /// </summary>
    public string? Subset(int pages, string directory)
    {
        // pages/ holds one file per page, named {document stem}-p{NN}.
        Dictionary<string, int> pagesOf = PageFiles.GroupBy(f => Path.GetFileNameWithoutExtension(f)[..^4], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        System.IO.Directory.CreateDirectory(directory);
        int total = 0;
        foreach (string document in System.IO.Directory.GetFiles(DocumentsDirectory).Order(StringComparer.Ordinal))
        {
            if (total == pages)
            {
                break;
            }

            int count = pagesOf.GetValueOrDefault(Path.GetFileNameWithoutExtension(document));
            if (count > 0 && total + count <= pages)
            {
                File.CreateSymbolicLink(Path.Combine(directory, Path.GetFileName(document)), document);
                total += count;
            }
        }

        return total == pages ? directory : null;
    }

    /// <summary>Writes <see cref="PdfPath"/> (one image per page, page size from the image's resolution) unless it exists.</summary>
    public string EnsurePdf(TextWriter log)
    {
        if (File.Exists(PdfPath))
        {
            return PdfPath;
        }

        log.WriteLine($"digitise-bench: writing {PdfPath} ...");
        using var builder = new PdfDocumentBuilder();
        foreach (string file in PageFiles)
        {
            byte[] data = File.ReadAllBytes(file);
            SourceFormat format = FormatOf(file);
            using PageBitmap bitmap = PageBitmap.Decode(data, format);
            double dpi = bitmap.Dpi > 0 ? bitmap.Dpi : 300;
            double width = bitmap.Width * 72.0 / dpi;
            double height = bitmap.Height * 72.0 / dpi;
            PdfPageBuilder page = builder.AddPage(width, height);
            var placement = new PdfRectangle(0, 0, width, height);
            switch (format)
            {
                case SourceFormat.Jpeg:
                    page.AddJpeg(data, placement);
                    break;
                case SourceFormat.Png:
                    page.AddPng(data, placement);
                    break;
                default:
                    page.AddPng(GreyPng(bitmap), placement);
                    break;
            }
        }

        string temp = PdfPath + ".tmp";
        File.WriteAllBytes(temp, builder.Build());
        File.Move(temp, PdfPath, overwrite: true);
        return PdfPath;
    }

    /// <summary>
    /// The page as an 8-bit grey PNG: PdfPig 0.1.16 cannot read 1-bit PNGs, so bitonal pages go through an 8-bit
    /// TIFF first (same pixels, 0 and 255).
    /// </summary>
    private static byte[] GreyPng(PageBitmap bitmap)
    {
        if (bitmap.Depth != 1)
        {
            return bitmap.ToPng();
        }

        string temp = Path.Combine(Path.GetTempPath(), $"digitise-bench-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tif");
        try
        {
            TiffWriter.Write(temp, [bitmap.ToPng()], TiffCompression.Lzw, bitmap.Dpi > 0 ? bitmap.Dpi : 300);
            using PageBitmap grey = PageBitmap.Decode(File.ReadAllBytes(temp), SourceFormat.Tiff);
            return grey.ToPng();
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The format of a page file by its extension (Unknown for anything but TIFF, PNG and JPEG).</summary>
    public static SourceFormat FormatOf(string path) => Path.GetExtension(path).ToUpperInvariant() switch
    {
        ".TIF" or ".TIFF" => SourceFormat.Tiff,
        ".PNG" => SourceFormat.Png,
        ".JPG" or ".JPEG" => SourceFormat.Jpeg,
        _ => SourceFormat.Unknown,
    };
}
