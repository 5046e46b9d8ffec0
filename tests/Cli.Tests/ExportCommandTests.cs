using Digitise.Data.Sqlite;
using Digitise.Domain;
using Digitise.Storage;

namespace Digitise.Cli.Tests;

/// <summary>
/// <c>digitise export</c>: after a clerk files a flagged document, the batch's manifest shows the decision and the
/// document gets its searchable PDF, without rerunning OCR.
/// </summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("digitise-export-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Export_AfterClerkFilesFlaggedDocument_ManifestAndSearchablePdfFollow()
    {
        // doc-0014 is flagged (its NHS number is not on the index); doc-0001 files straight through.
        string input = Directory.CreateDirectory(Path.Combine(_root, "in")).FullName;
        foreach (string name in (string[])["doc-0001.tif", "doc-0014.tif"])
        {
            File.Copy(Path.Combine(Repo.Root, "samples", "batch", name), Path.Combine(input, name));
        }

        string outDir = Path.Combine(_root, "out");
        string db = Path.Combine(_root, "digitise.db");
        (int code, string output) = await Digitise.RunAsync(input, Path.Combine(Repo.Root, "samples", "mpi.csv"), outDir, db);
        Assert.True(code == 0, output);
        Dictionary<string, string> flagged = Assert.Single(Csv.Read(Path.Combine(outDir, "manifest.csv")), r => r["status"] == "needs_verification");
        Assert.EndsWith("doc-0014.tif", flagged["source_file"], StringComparison.Ordinal);
        Assert.Equal(string.Empty, flagged["searchable_pdf"]);
        string truthPatient = Csv.Read(Path.Combine(Repo.Root, "samples", "truth.csv")).Single(t => t["source_file"] == "batch/doc-0014.tif")["patient_id"];

        // A clerk files it to the right patient through the verification store (what the web app calls).
        var store = new SqliteVerificationStore(db);
        Lease lease = await store.LeaseNextAsync("alice", new QueuePolicy(TimeSpan.FromMinutes(5), 0), CancellationToken.None)
            ?? throw new InvalidOperationException("nothing to verify");
        Assert.Equal(flagged["document_id"], lease.DocumentId);
        Assert.Equal(DecisionOutcome.Recorded,
            await store.DecideAsync("alice", new ClerkDecision(lease.DocumentId, ClerkAction.File, truthPatient, false), CancellationToken.None));

        // Export by the --out folder, as a bureau script would.
        (int exit, string stdout, string stderr) = await Digitise.ExecAsync("export", outDir, "--db", db);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("2 filed", stdout, StringComparison.Ordinal);

        List<Dictionary<string, string>> rows = Csv.Read(Path.Combine(outDir, "manifest.csv"));
        Dictionary<string, string> filed = Assert.Single(rows, r => r["document_id"] == flagged["document_id"]);
        Assert.Equal("filed", filed["status"]);
        Assert.Equal(truthPatient, filed["patient_id"]);
        Assert.Equal($"documents/{filed["document_id"]}.pdf", filed["searchable_pdf"]);
        byte[] pdf = await File.ReadAllBytesAsync(Path.Combine(outDir, filed["searchable_pdf"]));
        Assert.Equal("%PDF-"u8.ToArray(), pdf[..5]);
        Assert.All(rows, r => Assert.NotEqual(string.Empty, r["searchable_pdf"]));
        Assert.Contains("balances:              yes", await File.ReadAllTextAsync(Path.Combine(outDir, "reconciliation.txt")), StringComparison.Ordinal);

        // --fhir: one DocumentReference per filed document, its attachment the PDF the export wrote (validated against
        // the R4 definitions in tests/Export.Tests); without an ODS code it refuses, naming the setting.
        (exit, _, stderr) = await Digitise.ExecAsync("export", outDir, "--db", db, "--fhir");
        Assert.Equal(1, exit);
        Assert.Contains("Export:OdsCode", stderr, StringComparison.Ordinal);
        (exit, stdout, stderr) = await Digitise.ExecAsync(new Dictionary<string, string> { ["DIGITISE_Export__OdsCode"] = "RR8" }, "export", outDir, "--db", db, "--fhir");
        Assert.True(exit == 0, stdout + stderr);
        using (var bundle = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "fhir", "bundle.json"))))
        {
            Assert.Equal("transaction", bundle.RootElement.GetProperty("type").GetString());
            var references = bundle.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource")).ToList();
            Assert.Equal(rows.Count, references.Count);
            System.Text.Json.JsonElement mine = references.Single(r => r.GetProperty("masterIdentifier").GetProperty("value").GetString() == filed["document_id"]);
            System.Text.Json.JsonElement attachment = mine.GetProperty("content")[0].GetProperty("attachment");
            Assert.Equal(filed["searchable_pdf"], attachment.GetProperty("url").GetString());
            Assert.Equal(pdf.Length, attachment.GetProperty("size").GetInt32());
#pragma warning disable CA5350 // FHIR's attachment hash is SHA-1
            Assert.Equal(Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(pdf)), attachment.GetProperty("hash").GetString());
#pragma warning restore CA5350
            Assert.Equal("http://snomed.info/sct", mine.GetProperty("type").GetProperty("coding")[0].GetProperty("system").GetString());
        }

        // --ndr: the Lloyd George bulk upload. doc-0001's patient (P000182) goes in; doc-0014's patient carries an NHS
        // number on the index that fails the check digit (the sample's mistyped MPI entry), so the repository would
        // refuse it: it is left out and listed with the reason. Without a practice code it refuses, naming the setting.
        (exit, _, stderr) = await Digitise.ExecAsync("export", outDir, "--db", db, "--ndr");
        Assert.Equal(1, exit);
        Assert.Contains("Export:GpPracticeCode", stderr, StringComparison.Ordinal);
        (exit, stdout, stderr) = await Digitise.ExecAsync(
            new Dictionary<string, string> { ["DIGITISE_Export__GpPracticeCode"] = "B86016", ["DIGITISE_Export__ScanIdPrefix"] = "BUREAU-" }, "export", outDir, "--db", db, "--ndr");
        Assert.True(exit == 0, stdout + stderr);
        string ndr = Path.Combine(outDir, "ndr");
        string[] metadata = await File.ReadAllLinesAsync(Path.Combine(ndr, "metadata.csv"));
        Assert.Equal("FILEPATH,PAGE COUNT,GP-PRACTICE-CODE,NHS-NO,SECTION,SUB-SECTION,SCAN-DATE,SCAN-ID,USER-ID,UPLOAD", metadata[0]);
        string[] cells = Assert.Single(metadata[1..]).Split(',');
        string auto = rows.Single(r => r["document_id"] != filed["document_id"])["document_id"];
        Assert.Equal("3262723444/1of1_Lloyd_George_Record_[Edith Mckenzie]_[3262723444]_[13-06-1940].pdf", cells[0]);
        Assert.Equal(["1", "B86016", "3262723444", "LG", "", "BUREAU-" + auto, "digitise"], [cells[1], cells[2], cells[3], cells[4], cells[5], cells[7], cells[8]]);
        Assert.Matches(@"^\d\d/\d\d/\d{4}$", cells[6]);
        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(outDir, rows.Single(r => r["document_id"] == auto)["searchable_pdf"])),
            await File.ReadAllBytesAsync(Path.Combine(ndr, cells[0])));
        Dictionary<string, string> left = Assert.Single(Csv.Read(Path.Combine(ndr, "rejected.csv")));
        Assert.Equal(truthPatient, left["patient_id"]);
        Assert.Contains("modulus 11", left["reason"], StringComparison.Ordinal);
        Assert.Contains("left out " + truthPatient, stdout, StringComparison.Ordinal);

        // --certificate: the source files with the SHA-256 of the very bytes scanned, alice's decision, and a release
        // statement that is false while the auto-filed document's QA review is outstanding (the sample is every document here).
        (exit, stdout, stderr) = await Digitise.ExecAsync(new Dictionary<string, string> { ["DIGITISE_Verify__QaShare"] = "1" }, "export", outDir, "--db", db, "--certificate");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("does NOT meet the release criteria", stdout, StringComparison.Ordinal);
        List<Dictionary<string, string>> certificate = Csv.Read(Path.Combine(outDir, "certificate.csv"));
        Assert.Equal("false", certificate.Single(r => r["item"] == "meets_release_criteria")["value"]);
        Assert.Equal(
            [("every page accounted for", "met"), ("no quarantine unresolved", "met"), ("verification queue empty", "met"), ("QA sampling done", "not met"),
             ("misfile rate upper bound below threshold", "not met")],
            certificate.Where(r => r["section"] == "criterion").Select(r => (r["item"], r["value"])));
        foreach (string name in (string[])["doc-0001.tif", "doc-0014.tif"])
        {
            string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(input, name))));
            Assert.Equal(sha, certificate.Single(r => r["section"] == "source_file" && r["item"].EndsWith(name, StringComparison.Ordinal))["value"]);
        }

        Assert.Equal("1", certificate.Single(r => r["section"] == "verified_by" && r["item"] == "alice")["value"]);
        Assert.Equal("%PDF-"u8.ToArray(), (await File.ReadAllBytesAsync(Path.Combine(outDir, "certificate.pdf")))[..5]);

        // An unknown batch is an error that says so.
        (exit, _, stderr) = await Digitise.ExecAsync("export", Path.Combine(_root, "nowhere"), "--db", db);
        Assert.Equal(1, exit);
        Assert.Contains("no batch", stderr, StringComparison.Ordinal);
    }
}
