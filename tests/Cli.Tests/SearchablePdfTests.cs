using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Digitise.Cli.Tests;

/// <summary>Searchable PDFs of filed documents: page images with an invisible text layer that poppler can read back.</summary>
public sealed partial class SearchablePdfTests
{
    [Fact]
    public async Task Run_FiledDocuments_GetSearchablePdfsWithPageImagesAndTheirText()
    {
        string root = Directory.CreateTempSubdirectory("digitise-pdf-").FullName;
        try
        {
            // Two committed samples, both auto-filed: a 1-page bitonal TIFF (CCITT modified Huffman) and a 2-page image-only PDF (3 pages of OCR).
            string input = Directory.CreateDirectory(Path.Combine(root, "in")).FullName;
            foreach (string name in (string[])["doc-0001.tif", "doc-0009.pdf"])
            {
                File.Copy(Path.Combine(Repo.Root, "samples", "batch", name), Path.Combine(input, name));
            }

            string mpi = Path.Combine(Repo.Root, "samples", "mpi.csv");
            string outDir = Path.Combine(root, "out");
            (int code, string output) = await Digitise.RunAsync(input, mpi, outDir, Path.Combine(root, "digitise.db"));
            Assert.True(code == 0, output);

            string manifest = Path.Combine(outDir, "manifest.csv");
            Assert.Equal("searchable_pdf", Csv.Header(manifest)[^2]);
            Dictionary<string, Dictionary<string, string>> patients = Csv.Read(mpi).ToDictionary(p => p["patient_id"], StringComparer.Ordinal);
            List<Dictionary<string, string>> rows = Csv.Read(manifest);
            Assert.Equal(2, rows.Count);
            Assert.Contains(rows, r => r["reason"].Contains("nhs_number", StringComparison.Ordinal));
            foreach (Dictionary<string, string> row in rows)
            {
                Assert.Equal("auto_filed", row["status"]);
                Assert.Equal($"documents/{row["document_id"]}.pdf", row["searchable_pdf"]);
                string pdf = Path.Combine(outDir, row["searchable_pdf"]);
                Assert.True(File.Exists(pdf), pdf);
                Assert.True(File.Exists(Path.Combine(root, "blobs", "documents", row["document_id"][..2], row["document_id"] + ".pdf")));
                int pages = int.Parse(row["pages"], CultureInfo.InvariantCulture);

                string info = await Poppler("pdfinfo", pdf);
                Assert.Matches($@"Pages:\s+{pages}\n", info);
                Assert.Contains("Metadata Stream: yes", info, StringComparison.Ordinal);

                // One full-resolution page image per page (the 300 dpi A4 scans are 2480 pixels wide).
                List<string> images = (await Poppler("pdfimages", "-list", pdf)).Split('\n').Skip(2).Where(l => l.Trim().Length > 0).ToList();
                Assert.Equal(pages, images.Count);
                Assert.All(images, l => Assert.Matches(@"^\s*\d+\s+\d+\s+image\s+2480\s+3508\s", l));

                // The invisible text layer carries the patient's identifiers.
                Dictionary<string, string> patient = patients[row["patient_id"]];
                string text = await Poppler("pdftotext", "-layout", pdf, "-");
                if (row["reason"].Contains("nhs_number", StringComparison.Ordinal))
                {
                    // Filed on the NHS number, so OCR read it: the PDF's text has its digits (spaced or not).
                    Assert.Contains(patient["nhs_number"], NotDigits().Replace(text, string.Empty), StringComparison.Ordinal);
                }

                Assert.Contains(patient["given_name"], text, StringComparison.OrdinalIgnoreCase);
                Assert.Contains(patient["hospital_number"], text, StringComparison.Ordinal);
            }

            // A rerun (everything already done) makes the same files again without OCR.
            File.Delete(Path.Combine(outDir, rows[0]["searchable_pdf"]));
            (code, output) = await Digitise.RunAsync(input, mpi, outDir, Path.Combine(root, "digitise.db"));
            Assert.True(code == 0, output);
            Assert.True(File.Exists(Path.Combine(outDir, rows[0]["searchable_pdf"])));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [GeneratedRegex(@"\D")]
    private static partial Regex NotDigits();

    private static async Task<string> Poppler(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{tool} failed: {await stderr}");
        return await stdout;
    }
}
