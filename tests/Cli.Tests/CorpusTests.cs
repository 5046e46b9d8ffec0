using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Digitise.Cli.Tests;

/// <summary>One run over a generated corpus of 360 documents (over 500 pages) with ground truth, shared by the tests below.</summary>
public sealed class CorpusRun : IAsyncLifetime
{
    public TempBatch Batch { get; private set; } = null!;

    public List<Dictionary<string, string>> Manifest { get; private set; } = null!;

    public List<Dictionary<string, string>> Truth { get; private set; } = null!;

    public int ExitCode { get; private set; }

    public async Task InitializeAsync()
    {
        Batch = new TempBatch(documents: 360, seed: 2026);
        (ExitCode, _) = await Digitise.RunAsync(Batch.Batch, Batch.Mpi, Batch.Out, Batch.Db);
        Manifest = Csv.Read(Batch.Manifest);
        Truth = Csv.Read(Batch.Truth);
    }

    public Task DisposeAsync()
    {
        Batch.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class CorpusTests(CorpusRun run, ITestOutputHelper output) : IClassFixture<CorpusRun>
{
    [Fact]
    public void Run_GeneratedCorpus_EveryInputFileHasAManifestRow()
    {
        Assert.Equal(0, run.ExitCode);
        Assert.True(run.Truth.Count >= 200);
        var manifestFiles = run.Manifest.Select(r => Normalise(r["source_file"])).ToHashSet(StringComparer.Ordinal);
        foreach (Dictionary<string, string> truth in run.Truth)
        {
            Assert.Contains(Normalise(truth["source_file"]), manifestFiles);
        }

        Assert.Equal(run.Truth.Count, run.Manifest.Count);
        Assert.Equal(run.Truth.Sum(t => int.Parse(t["pages"], CultureInfo.InvariantCulture)), run.Manifest.Sum(r => int.Parse(r["pages"], CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Run_GeneratedCorpus_NoTypedPageFlaggedUnreadable()
    {
        // Every page of this corpus is typed (clean, mild or hard scans): the unreadable flag must spare them all,
        // and the reconciliation counts what it flagged.
        var flagged = run.Manifest.Where(r => r["qa"].Contains("unreadable", StringComparison.Ordinal)).Select(r => $"{r["source_file"]}: {r["qa"]}").ToList();
        Assert.True(flagged.Count == 0, "typed pages flagged unreadable: " + string.Join("; ", flagged));
        Assert.Contains(File.ReadAllLines(Path.Combine(run.Batch.Out, "reconciliation.txt")), l => l.StartsWith("pages_unreadable:", StringComparison.Ordinal) && l.EndsWith(" 0", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_GeneratedCorpusOver500Pages_ReconciliationBalancesExactly()
    {
        Dictionary<string, string> account = File.ReadAllLines(Path.Combine(run.Batch.Out, "reconciliation.txt"))
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.Ordinal);
        int pagesIn = int.Parse(account["pages_in"], CultureInfo.InvariantCulture);
        int accounted = new[] { "pages_ocr", "pages_text_layer", "pages_blank", "pages_separator", "pages_quarantined" }
            .Sum(k => int.Parse(account[k], CultureInfo.InvariantCulture));

        Assert.True(pagesIn >= 500, $"only {pagesIn} pages");
        Assert.Equal(run.Truth.Sum(t => int.Parse(t["pages"], CultureInfo.InvariantCulture)), pagesIn);
        Assert.Equal(pagesIn, accounted);
        Assert.Equal("yes", account["balances"]);
        Assert.Equal(run.Truth.Count.ToString(CultureInfo.InvariantCulture), account["documents"]);
    }

    [Fact]
    public void Run_GeneratedCorpus_NoDocumentAutoFiledToTheWrongPatient()
    {
        Dictionary<string, Dictionary<string, string>> truth = run.Truth.ToDictionary(t => Normalise(t["source_file"]), StringComparer.Ordinal);
        var misfiled = run.Manifest
            .Where(r => r["status"] == "auto_filed")
            .Where(r =>
            {
                Dictionary<string, string> t = truth[Normalise(r["source_file"])];
                return t["on_index"] != "true" || t["patient_id"] != r["patient_id"];
            })
            .Select(r => $"{r["source_file"]} -> {r["patient_id"]} ({truth[Normalise(r["source_file"])]["hard_case"]})")
            .ToList();

        Assert.Empty(misfiled);
    }

    /// <summary>
    /// The type classifier learned from the typed generator's documents; the corpus comes from the main generator and
    /// through OCR, so this measures it on documents made another way.
    /// </summary>
    [Fact]
    public void Run_GeneratedCorpus_DocumentTypesAgreeWithTruth()
    {
        Dictionary<string, Dictionary<string, string>> truth = run.Truth.ToDictionary(t => Normalise(t["source_file"]), StringComparer.Ordinal);
        var typed = run.Manifest.Where(r => r["status"] != "quarantined").ToList();
        int right = typed.Count(r => r["document_type"] == truth[Normalise(r["source_file"])]["document_type"] switch
        {
            "clinic_letter" => "clinical_letter",
            "discharge_summary" => "discharge_summary",
            "lab_report" => "laboratory_report",
            _ => "clinical_note",
        });
        double accuracy = (double)right / typed.Count;
        string report = string.Create(CultureInfo.InvariantCulture, $"document types on the OCRed corpus: {right}/{typed.Count} = {accuracy:P1}");
        output.WriteLine(report);
        Directory.CreateDirectory(Path.Combine(Repo.Root, "artifacts"));
        File.WriteAllText(Path.Combine(Repo.Root, "artifacts", "document-type-corpus.txt"), report + "\n");
        Assert.True(accuracy >= 0.9, report);
    }

    [Fact]
    public void Run_GeneratedCorpus_ReportsStraightThroughRate()
    {
        Dictionary<string, Dictionary<string, string>> truth = run.Truth.ToDictionary(t => Normalise(t["source_file"]), StringComparer.Ordinal);
        int onIndex = run.Truth.Count(t => t["on_index"] == "true");
        int autoFiled = run.Manifest.Count(r => r["status"] == "auto_filed");
        int verification = run.Manifest.Count(r => r["status"] == "needs_verification");
        int topRight = run.Manifest.Count(r => r["status"] == "needs_verification" && truth[Normalise(r["source_file"])]["patient_id"] == r["patient_id"]);
        int notOnIndexUnmatched = run.Manifest.Count(r => r["status"] == "unmatched" && truth[Normalise(r["source_file"])]["on_index"] == "false");
        double rate = (double)autoFiled / onIndex;

        string report = string.Create(CultureInfo.InvariantCulture,
            $"straight-through {autoFiled}/{onIndex} on-index documents = {rate:P1}; verification {verification} (right patient on top {topRight}); not on index and unmatched {notOnIndexUnmatched}/{run.Truth.Count - onIndex}");
        output.WriteLine(report);
        Directory.CreateDirectory(Path.Combine(Repo.Root, "artifacts"));
        File.WriteAllText(Path.Combine(Repo.Root, "artifacts", "straight-through.txt"), report + "\n");

        // A floor well under what the rule matcher achieves, so a regression that sends everything to clerks fails.
        Assert.True(rate >= 0.6, report);
        Assert.Equal(0, run.Manifest.Count(r => r["status"] == "quarantined"));
    }

    [Theory]
    [InlineData("tiff_g4")]
    [InlineData("tiff_lzw")]
    [InlineData("tiff_none")]
    [InlineData("png")]
    [InlineData("jpeg")]
    [InlineData("pdf_image")]
    [InlineData("pdf_text")]
    public void Run_EachInputFormat_IsReadAndMatched(string format)
    {
        Dictionary<string, Dictionary<string, string>> manifest = run.Manifest.ToDictionary(r => Normalise(r["source_file"]), StringComparer.Ordinal);
        var ofFormat = run.Truth.Where(t => t["format"] == format).ToList();
        Assert.NotEmpty(ofFormat);
        foreach (Dictionary<string, string> truth in ofFormat)
        {
            Dictionary<string, string> row = manifest[Normalise(truth["source_file"])];
            Assert.NotEqual("quarantined", row["status"]);
            Assert.Equal(truth["pages"], row["last_page"]);
            // Hard scans legitimately read at low confidence; none is unread, and the format reads well on average.
            Assert.True(double.Parse(row["mean_confidence"], CultureInfo.InvariantCulture) > 25, $"{format}: confidence {row["mean_confidence"]}");
        }

        double mean = ofFormat.Average(t => double.Parse(manifest[Normalise(t["source_file"])]["mean_confidence"], CultureInfo.InvariantCulture));
        Assert.True(mean > 70, $"{format}: mean confidence {mean:0.0}");

        // Most documents of every format are filed to their own patient.
        int right = ofFormat.Count(t => manifest[Normalise(t["source_file"])]["patient_id"] == t["patient_id"]);
        Assert.True(right * 2 >= ofFormat.Count(t => t["on_index"] == "true"), $"{format}: only {right} of {ofFormat.Count} matched their patient");
    }

    [Fact]
    public void Run_GeneratedCorpus_BatchLogHasEventIdsAndNoPatientData()
    {
        string log = File.ReadAllText(Path.Combine(run.Batch.Out, "digitise.log"));
        string[] lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // One line per event with its id: the batch's start and end, and one per document decided or quarantined.
        Assert.Contains(lines, l => l.Contains("[1001 ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("[1002 ", StringComparison.Ordinal));
        Assert.Equal(run.Manifest.Count, lines.Count(l => l.Contains("[1007 ", StringComparison.Ordinal) || l.Contains("[1004 ", StringComparison.Ordinal)));

        // Every identifier of every patient on the index, in the forms a page prints them: none may be in the log.
        var leaks = new List<string>();
        foreach (Dictionary<string, string> patient in Csv.Read(run.Batch.Mpi))
        {
            foreach (string field in new[] { "patient_id", "nhs_number", "hospital_number", "family_name", "given_name", "date_of_birth", "postcode", "address" })
            {
                string value = patient.GetValueOrDefault(field, string.Empty).Trim();
                if (value.Length < 3)
                {
                    continue;
                }

                var forms = new List<string> { value };
                if (field == "nhs_number" && value.Length == 10)
                {
                    forms.Add($"{value[..3]} {value[3..6]} {value[6..]}");
                }

                if (field == "date_of_birth" && DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly dob))
                {
                    forms.Add(dob.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture));
                    forms.Add(dob.ToString("d MMM yyyy", CultureInfo.InvariantCulture));
                }

                if (field == "address")
                {
                    forms = [.. value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(part => part.Length >= 6)];
                }

                leaks.AddRange(forms
                    .Where(form => Regex.IsMatch(log, $@"(?<![A-Za-z0-9]){Regex.Escape(form)}(?![A-Za-z0-9])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))
                    .Select(form => $"{field} '{form}'"));
            }
        }

        Assert.True(leaks.Count == 0, "patient data in digitise.log: " + string.Join(", ", leaks.Distinct().Take(20)));
    }

    private string Normalise(string path) => Path.GetRelativePath(run.Batch.Root, Path.IsPathRooted(path) ? path : Path.Combine(run.Batch.Root, path)).Replace('\\', '/');
}
