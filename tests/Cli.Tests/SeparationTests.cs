using System.Globalization;
using Digitise.Samples;

namespace Digitise.Cli.Tests;

/// <summary>A bureau-style multi-document scan is split into the right documents, and every page is accounted for.</summary>
public sealed class SeparationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("digitise-separation-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Run_BatchWithCoverPatchAndBlankSeparators_SplitsAtTheTrueBoundaries()
    {
        BatchFile batch = BatchFileGenerator.Generate(Path.Combine(_root, "in"), documents: 7, seed: 5);
        string input = Path.Combine(_root, "scan");
        Directory.CreateDirectory(input);
        File.Move(batch.Path, Path.Combine(input, "box-17.tif"));
        string outDir = Path.Combine(_root, "out");

        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        int code = await RunCommand.ExecuteAsync(
            new RunRequest([input], batch.MpiCsv, outDir, Path.Combine(_root, "d.db"), null, null, null, Quiet: true) { Separate = "patch,barcode,blank" },
            stdout, TextWriter.Null, CancellationToken.None);

        Assert.Equal(0, code);
        List<Dictionary<string, string>> rows = Csv.Read(Path.Combine(outDir, "manifest.csv"));
        Assert.Equal(
            batch.Documents.Select(d => (d.FirstPage, d.LastPage)),
            rows.Select(r => (int.Parse(r["first_page"], CultureInfo.InvariantCulture), int.Parse(r["last_page"], CultureInfo.InvariantCulture))));

        // Never filed to the wrong patient; a cover sheet's NHS number counts as evidence for its document.
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i]["status"] == "auto_filed")
            {
                Assert.Equal(batch.Documents[i].PatientId, rows[i]["patient_id"]);
            }
        }

        // Blank backs stay in their documents, flagged; upside-down pages were turned.
        string qa = string.Join(' ', rows.Select(r => r["qa"]));
        Assert.Equal(batch.Pages.Count(k => k == "blank_back"), CountFlag(qa, "blank"));
        Assert.Contains("rotated=180", qa, StringComparison.Ordinal);

        string reconciliation = File.ReadAllText(Path.Combine(outDir, "reconciliation.txt"));
        Assert.Contains($"pages_in:              {batch.PageCount}\n", reconciliation, StringComparison.Ordinal);
        Assert.Contains($"pages_separator:       {batch.Pages.Count(k => k is "cover" or "patch" or "blank_separator")}\n", reconciliation, StringComparison.Ordinal);
        Assert.Contains("balances:              yes", reconciliation, StringComparison.Ordinal);
    }

    private static int CountFlag(string qa, string flag) =>
        qa.Split(' ', StringSplitOptions.RemoveEmptyEntries).Count(p => p.Split(':', 2)[1].Split(';').Contains(flag));
}
