using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Digitise.Cli.Tests;

/// <summary>
/// Nine real published NHS layouts (../shared/corpora/nhs-layouts, INDEX.csv names each one's patient), never developed
/// against: run as the PDFs are and printed-and-scanned (rasterised with poppler: 300-dpi bitonal G4 and 200-dpi grey LZW
/// TIFF, no text layer), with their patients on a test MPI among look-alikes (same name other birthday, same birthday other
/// name) and 2,000 others. Nothing is misfiled; numbers that fail the check digit or are placeholders never file; the right
/// patient comes first wherever a clerk is asked; the e-RS summary with a valid NHS number, and the NHS 111 report whose
/// hospital number sits under "Local Patient ID", file straight through as the PDFs are.
/// </summary>
public sealed class NhsLayoutsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("digitise-nhs-layouts-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Run_RealNhsLayoutsAsPublishedAndScanned_NeverMisfileAndFindTheRightPatient()
    {
        string corpus = Shared.Path("corpora", "nhs-layouts");
        List<Dictionary<string, string>> index = Csv.Read(Path.Combine(corpus, "INDEX.csv"));
        string mpi = WriteMpi(index);
        string[] pdfs = [.. index.Select(r => Path.Combine(corpus, r["file"]))];
        string scans = Path.Combine(_root, "scans");
        Directory.CreateDirectory(scans);
        foreach (string pdf in pdfs)
        {
            await ScanAsync(pdf, scans, 300, bitonal: true);
            await ScanAsync(pdf, scans, 200, bitonal: false);
        }

        string outDir = Path.Combine(_root, "out");
        int code = await RunCommand.ExecuteAsync(
            new RunRequest([.. pdfs, scans], mpi, outDir, Path.Combine(_root, "d.db"), null, null, null, Quiet: true), TextWriter.Null, TextWriter.Null, CancellationToken.None);
        Assert.Equal(0, code);

        List<Dictionary<string, string>> manifest = Csv.Read(Path.Combine(outDir, "manifest.csv"));
        var report = new StringBuilder();
        var failures = new List<string>();
        foreach (Dictionary<string, string> row in manifest)
        {
            string file = Path.GetFileName(row["source_file"]);
            Dictionary<string, string> truth = index.Single(r => file.StartsWith(Path.GetFileNameWithoutExtension(r["file"]), StringComparison.Ordinal));
            string? patient = truth["family_name"].Length > 0 ? PatientId(truth) : null;
            report.Append(CultureInfo.InvariantCulture, $"{file} {row["status"]} {row["patient_id"]} ({row["reason"]})\n");

            // Never misfiled: auto-filed only to the document's own patient.
            if (row["status"] == "auto_filed" && row["patient_id"] != patient)
            {
                failures.Add($"misfiled: {file}");
            }

            // A number that fails the check digit, or a placeholder, never files (01, 04, 14: invalid; 13, 15: placeholders; 11: another's).
            if (file[..2] is "01" or "04" or "13" or "14" or "15" or "11" && row["status"] == "auto_filed")
            {
                failures.Add($"filed without a valid number of its own: {file}");
            }

            // The right patient first wherever a clerk is asked.
            if (row["status"] == "needs_verification" && patient is not null && row["patient_id"] != patient)
            {
                failures.Add($"wrong patient first: {file}");
            }
        }

        // As published: a valid NHS number with the patient's own name, birthday and postcode (09), or a hospital number on the
        // index (02), files. 10 (valid NHS number, name and birthday, no postcode) stays below the threshold here: this MPI's
        // 2,000 others carry no NHS numbers, so the u estimated from it weighs an NHS agreement little.
        foreach (string prefix in new[] { "02", "09" })
        {
            Dictionary<string, string> row = manifest.Single(r => Path.GetFileName(r["source_file"]).StartsWith(prefix, StringComparison.Ordinal) && r["source_file"].EndsWith(".pdf", StringComparison.Ordinal));
            if (row["status"] != "auto_filed")
            {
                failures.Add($"not filed as published: {prefix}");
            }
        }

        Directory.CreateDirectory(Path.Combine(Repo.Root, "artifacts"));
        await File.WriteAllTextAsync(Path.Combine(Repo.Root, "artifacts", "nhs-layouts.txt"), report.ToString());
        Assert.Equal(pdfs.Length * 3, manifest.Count);
        Assert.True(failures.Count == 0, string.Join("\n", failures) + "\n" + report);
    }

    private static string PatientId(Dictionary<string, string> truth) => "NL" + truth["file"][..2];

    /// <summary>Each INDEX.csv patient (NHS number only when it passes the check and is not another's), three look-alikes each, and 2,000 others.</summary>
    private string WriteMpi(List<Dictionary<string, string>> index)
    {
        var csv = new StringBuilder("patient_id,nhs_number,hospital_number,family_name,given_name,date_of_birth,sex,postcode,address\n");
        var numbers = new HashSet<string>(StringComparer.Ordinal);
        foreach (Dictionary<string, string> r in index.Where(r => r["family_name"].Length > 0))
        {
            string id = PatientId(r);
            string nhs = r["nhs_number"];
            nhs = Domain.NhsNumber.IsValid(nhs) && numbers.Add(nhs) ? nhs : string.Empty;
            string dob = r["date_of_birth"];
            csv.Append(CultureInfo.InvariantCulture, $"{id},{nhs},{r["hospital_number"]},{r["family_name"]},{r["given_name"]},{dob},,{r["postcode"]},\n");
            csv.Append(CultureInfo.InvariantCulture, $"{id}A,,,{r["family_name"]},{r["given_name"]},1970-06-15,,,\n");
            csv.Append(CultureInfo.InvariantCulture, $"{id}B,,,{r["family_name"]},Zachary,{dob},,,\n");
            csv.Append(CultureInfo.InvariantCulture, $"{id}C,,,Thornbury,{r["given_name"]},{dob},,,\n");
        }

        string[] families = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Khan", "Walker", "Wright", "Green", "Hall", "Wood", "Clarke"];
        string[] givens = ["John", "Mary", "David", "Sarah", "Peter", "Susan", "Paul", "Anne", "Mark", "Helen", "Ali", "Fatima"];
        var random = new Random(11);
        for (int i = 0; i < 2000; i++)
        {
            var dob = new DateOnly(1920, 1, 1).AddDays(random.Next(36_000));
            csv.Append(CultureInfo.InvariantCulture,
                $"F{i:D5},,RXH{random.Next(1_000_000, 9_999_999)},{families[random.Next(families.Length)]},{givens[random.Next(givens.Length)]},{dob:yyyy-MM-dd},,,\n");
        }

        string path = Path.Combine(_root, "mpi.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    /// <summary>Prints the PDF to page images with poppler and binds them into one multi-page TIFF, as a scanner would.</summary>
    private static async Task ScanAsync(string pdf, string folder, int dpi, bool bitonal)
    {
        string name = Path.GetFileNameWithoutExtension(pdf) + (bitonal ? $"-{dpi}-g4" : $"-{dpi}-grey");
        string prefix = Path.Combine(folder, "page-" + name);
        await ExecAsync("pdftoppm", ["-r", dpi.ToString(CultureInfo.InvariantCulture), bitonal ? "-mono" : "-gray", "-tiff", pdf, prefix]);
        string[] pages = [.. Directory.GetFiles(folder, Path.GetFileName(prefix) + "*.tif").Order(StringComparer.Ordinal)];
        await ExecAsync("tiffcp", ["-c", bitonal ? "g4" : "lzw", .. pages, Path.Combine(folder, name + ".tif")]);
        foreach (string page in pages)
        {
            File.Delete(page);
        }
    }

    private static async Task ExecAsync(string tool, string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {stderr}");
    }
}
