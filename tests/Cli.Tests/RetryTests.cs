using System.Globalization;
using Digitise.Data.Sqlite;

namespace Digitise.Cli.Tests;

/// <summary>
/// The operator's way out of a quarantine: a file quarantined by a limit, the limit raised, a retry requested (as
/// the operator view does), and the same run command again files it, with one manifest row and a balanced account.
/// </summary>
public sealed class RetryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("digitise-retry-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Run_QuarantinedByALimitThenRetried_FilesTheDocumentOnce()
    {
        string input = Directory.CreateDirectory(Path.Combine(_root, "in")).FullName;
        File.Copy(Path.Combine(Repo.Root, "samples", "batch", "doc-0001.tif"), Path.Combine(input, "doc-0001.tif"));
        string mpi = Path.Combine(Repo.Root, "samples", "mpi.csv");
        string outDir = Path.Combine(_root, "out");
        string db = Path.Combine(_root, "digitise.db");
        string strict = Path.Combine(_root, "strict.json");
        await File.WriteAllTextAsync(strict, """{ "Ingest": { "MaxPixelsPerPage": 1000000 } }""");

        Assert.Equal(0, await RunAsync(strict));
        Dictionary<string, string> quarantined = Assert.Single(Csv.Read(Path.Combine(outDir, "manifest.csv")));
        Assert.Equal("quarantined", quarantined["status"]);
        Assert.Contains("image_too_large", quarantined["reason"], StringComparison.Ordinal);

        // The same command again changes nothing: the file is done (quarantined) until someone asks for a retry.
        Assert.Equal(0, await RunAsync(strict));
        Assert.Equal("quarantined", Assert.Single(Csv.Read(Path.Combine(outDir, "manifest.csv")))["status"]);

        var verification = new SqliteVerificationStore(db);
        long batch = (await verification.GetBatchesAsync(CancellationToken.None)).Single().Id;
        Assert.Equal(1, await verification.RequestRetryAsync(batch, null, "olive", CancellationToken.None));

        Assert.Equal(0, await RunAsync(configFile: null));
        Dictionary<string, string> row = Assert.Single(Csv.Read(Path.Combine(outDir, "manifest.csv")));
        Assert.Equal("auto_filed", row["status"]);
        Assert.Equal(quarantined["document_id"], row["document_id"]);
        Assert.Equal($"documents/{row["document_id"]}.pdf", row["searchable_pdf"]);
        string account = await File.ReadAllTextAsync(Path.Combine(outDir, "reconciliation.txt"));
        Assert.Contains("balances:              yes", account, StringComparison.Ordinal);
        Assert.Contains("pages_quarantined:     0\n", account, StringComparison.Ordinal);

        async Task<int> RunAsync(string? configFile) => await RunCommand.ExecuteAsync(
            new RunRequest([input], mpi, outDir, db, null, null, configFile, Quiet: true), TextWriter.Null, TextWriter.Null, CancellationToken.None);
    }
}
