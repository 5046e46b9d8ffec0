using System.Globalization;
using Digitise.Testing;

namespace Digitise.Cli.Tests;

/// <summary>Real-world and hostile files: each processes or is quarantined with a precise reason; the batch completes.</summary>
public sealed class HostileInputTests : IDisposable
{
    private static readonly string[] KnownReasons =
    [
        "unsupported_format", "empty_file", "truncated_tiff", "corrupt_tiff", "corrupt_png", "corrupt_jpeg", "corrupt_pdf", "corrupt_pdf_page",
        "encrypted", "image_too_large", "too_many_pages", "file_too_large", "undecodable_image", "unrenderable_pdf_page", "unreadable_folder",
        "unreadable_file", "page ",
    ];

    private readonly string _root = Directory.CreateTempSubdirectory("digitise-hostile-").FullName;

    public void Dispose()
    {
        foreach (string dir in Directory.GetDirectories(_root, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Directory.Delete(_root, recursive: true);
    }

    [CorpusFact]
    public async Task Run_OcrMyPdfCorpus_EveryFileProcessedOrQuarantinedWithAReason()
    {
        string corpus = Shared.Path("corpora", "ocrmypdf");
        string outDir = Path.Combine(_root, "out");

        (int code, string output) = await Digitise.RunAsync(corpus, Path.Combine(Repo.Root, "samples", "mpi.csv"), outDir, Path.Combine(_root, "d.db"));

        Assert.True(code == 0, output);
        List<Dictionary<string, string>> rows = Csv.Read(Path.Combine(outDir, "manifest.csv"));
        var files = Directory.GetFiles(corpus).Select(f => Path.GetFileName(f)).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(files, rows.Select(r => Path.GetFileName(r["source_file"])).ToHashSet(StringComparer.Ordinal));
        foreach (Dictionary<string, string> row in rows.Where(r => r["status"] == "quarantined"))
        {
            Assert.True(KnownReasons.Any(k => row["reason"].StartsWith(k, StringComparison.Ordinal)), $"{row["source_file"]}: '{row["reason"]}'");
        }

        // The readable real-world scans were read, not quarantined.
        foreach (string readable in new[] { "ccitt.pdf", "jbig2.pdf", "multipage.pdf", "linn.png", "baiona_gray.png", "skew.pdf", "cmyk.pdf" })
        {
            Assert.NotEqual("quarantined", rows.Single(r => Path.GetFileName(r["source_file"]) == readable)["status"]);
        }

        Assert.StartsWith("corrupt_pdf", rows.Single(r => Path.GetFileName(r["source_file"]) == "invalid.pdf")["reason"], StringComparison.Ordinal);
        Assert.StartsWith("unsupported_format", rows.Single(r => Path.GetFileName(r["source_file"]) == "linn.txt")["reason"], StringComparison.Ordinal);
        Assert.Contains("balances:              yes", File.ReadAllText(Path.Combine(outDir, "reconciliation.txt")), StringComparison.Ordinal);
    }

    [CorpusFact]
    public async Task Run_HostileFiles_EachQuarantinedWithItsReasonAndTheRestComplete()
    {
        using var batch = new TempBatch(documents: 2, seed: 83);
        string hostile = batch.Batch;
        File.WriteAllBytes(Path.Combine(hostile, "zero.tif"), []);
        File.WriteAllBytes(Path.Combine(hostile, "truncated.tif"), [.. "II*\0"u8.ToArray(), 8, 0, 0, 0, 200, 0]);
        File.WriteAllText(Path.Combine(hostile, "letter.jpg"), "Dear Doctor, this is a text file with a picture's name.");
        File.Copy(Shared.Path("corpora", "paperless", "scans", "encrypted.pdf"), Path.Combine(hostile, "encrypted.pdf"));
        File.WriteAllBytes(Path.Combine(hostile, "bomb.png"), PngHeader(width: 100_000, height: 100_000));
        File.WriteAllText(Path.Combine(hostile, "many.pdf"), ManyPagesPdf(5_200));
        string locked = Path.Combine(hostile, "locked");
        Directory.CreateDirectory(locked);
        File.WriteAllText(Path.Combine(locked, "inside.tif"), "x");
        File.SetUnixFileMode(locked, UnixFileMode.None);

        (int code, string output) = await Digitise.RunAsync(hostile, batch.Mpi, batch.Out, batch.Db);

        Assert.True(code == 0, output);
        Dictionary<string, string> reasons = Csv.Read(batch.Manifest).ToDictionary(r => Path.GetFileName(r["source_file"]), r => r["status"] + " " + r["reason"], StringComparer.Ordinal);
        Assert.StartsWith("quarantined empty_file", reasons["zero.tif"], StringComparison.Ordinal);
        Assert.StartsWith("quarantined truncated_tiff", reasons["truncated.tif"], StringComparison.Ordinal);
        Assert.StartsWith("quarantined unsupported_format", reasons["letter.jpg"], StringComparison.Ordinal);
        Assert.StartsWith("quarantined encrypted", reasons["encrypted.pdf"], StringComparison.Ordinal);
        Assert.StartsWith("quarantined page 1: image_too_large", reasons["bomb.png"], StringComparison.Ordinal);
        Assert.StartsWith("quarantined too_many_pages", reasons["many.pdf"], StringComparison.Ordinal);
        if (Environment.UserName != "root")
        {
            Assert.StartsWith("quarantined unreadable_folder", reasons["locked"], StringComparison.Ordinal);
        }

        foreach (string good in Directory.GetFiles(hostile, "doc-*").Select(Path.GetFileName)!)
        {
            Assert.DoesNotContain("quarantined", reasons[good!], StringComparison.Ordinal);
        }
    }

    /// <summary>A PNG signature and IHDR claiming a huge image, with no pixel data: what a decompression bomb looks like to a header check.</summary>
    private static byte[] PngHeader(int width, int height)
    {
        byte[] bytes = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), height);
        return bytes;
    }

    /// <summary>A minimal valid PDF with <paramref name="pages"/> empty pages.</summary>
    private static string ManyPagesPdf(int pages)
    {
        var body = new System.Text.StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        void Obj(string text)
        {
            offsets.Add(body.Length);
            body.Append(CultureInfo.InvariantCulture, $"{offsets.Count} 0 obj\n{text}\nendobj\n");
        }

        Obj("<< /Type /Catalog /Pages 2 0 R >>");
        Obj($"<< /Type /Pages /Kids [{string.Join(' ', Enumerable.Range(3, pages).Select(i => $"{i} 0 R"))}] /Count {pages} >>");
        for (int i = 0; i < pages; i++)
        {
            Obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>");
        }

        int xref = body.Length;
        body.Append(CultureInfo.InvariantCulture, $"xref\n0 {offsets.Count + 1}\n0000000000 65535 f \n");
        foreach (int offset in offsets)
        {
            body.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        body.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {offsets.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return body.ToString();
    }
}
