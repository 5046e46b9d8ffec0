using Microsoft.Data.Sqlite;

namespace Digitise.Cli.Tests;

public sealed class RunTests
{
    [Fact]
    public async Task Run_CorruptFilesInBatch_QuarantinedWithReasonsWhileTheRestCompletes()
    {
        using var batch = new TempBatch(documents: 4, seed: 31);
        byte[] tiff = File.ReadAllBytes(Directory.GetFiles(batch.Batch, "*.tif").First());
        File.WriteAllBytes(Path.Combine(batch.Batch, "truncated.tif"), tiff[..(tiff.Length / 3)]);
        File.WriteAllBytes(Path.Combine(batch.Batch, "empty.tif"), []);
        File.WriteAllText(Path.Combine(batch.Batch, "notes.pdf"), "not a pdf at all, just text with the wrong extension");
        File.WriteAllBytes(Path.Combine(batch.Batch, "broken.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]);

        (int code, string output) = await Digitise.RunAsync(batch.Batch, batch.Mpi, batch.Out, batch.Db);

        Assert.Equal(0, code);
        Dictionary<string, Dictionary<string, string>> rows = Csv.Read(batch.Manifest).ToDictionary(r => Path.GetFileName(r["source_file"]), StringComparer.Ordinal);
        Assert.Equal(8, rows.Count);
        Assert.Equal("quarantined", rows["truncated.tif"]["status"]);
        Assert.StartsWith("truncated_tiff", rows["truncated.tif"]["reason"], StringComparison.Ordinal);
        Assert.StartsWith("empty_file", rows["empty.tif"]["reason"], StringComparison.Ordinal);
        Assert.StartsWith("unsupported_format", rows["notes.pdf"]["reason"], StringComparison.Ordinal);
        Assert.StartsWith("corrupt_png", rows["broken.png"]["reason"], StringComparison.Ordinal);
        foreach (string good in Directory.GetFiles(batch.Batch, "doc-*").Select(Path.GetFileName)!)
        {
            Assert.NotEqual("quarantined", rows[good!]["status"]);
        }

        Assert.Matches(@"quarantined\s+4\s", output);
    }

    [Fact]
    public async Task Run_SameInputTwice_DuplicatesNothing()
    {
        using var batch = new TempBatch(documents: 5, seed: 41);

        (int first, _) = await Digitise.RunAsync(batch.Batch, batch.Mpi, batch.Out, batch.Db);
        string firstManifest = File.ReadAllText(batch.Manifest);
        Dictionary<string, long> firstCounts = CountRows(batch.Db);
        (int second, string output) = await Digitise.RunAsync(batch.Batch, batch.Mpi, batch.Out, batch.Db);

        Assert.Equal(0, first);
        Assert.Equal(0, second);
        Assert.Equal(firstManifest, File.ReadAllText(batch.Manifest));
        Assert.Equal(firstCounts, CountRows(batch.Db));
        Assert.Contains("0 OCRed", output, StringComparison.Ordinal);
        Assert.Contains("5 file(s) already done", output, StringComparison.Ordinal);
        Assert.True(firstCounts["pages"] >= 5);
        Assert.Equal(5, firstCounts["documents"]);
    }

    [Fact]
    public async Task Run_Cancelled_StopsCleanlyAndRerunCompletes()
    {
        using var batch = new TempBatch(documents: 12, seed: 43);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(4));

        (int cancelled, _) = await Digitise.RunAsync(batch.Batch, batch.Mpi, batch.Out, batch.Db, cts.Token);
        // On a loaded machine the cancel can land before the first document (no manifest yet): that too must stop cleanly.
        int afterCancel = File.Exists(batch.Manifest) ? Csv.Read(batch.Manifest).Count : 0;
        (int rerun, _) = await Digitise.RunAsync(batch.Batch, batch.Mpi, batch.Out, batch.Db);

        Assert.Equal(130, cancelled);
        Assert.InRange(afterCancel, 0, 11);
        Assert.Equal(0, rerun);
        Assert.Equal(12, Csv.Read(batch.Manifest).Count);
        Assert.Equal(12, CountRows(batch.Db)["documents"]);
    }

    private static Dictionary<string, long> CountRows(string db)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string table in new[] { "batches", "source_files", "batch_sources", "pages", "documents", "identifiers", "candidates", "decisions", "patients" })
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table}";
            counts[table] = (long)command.ExecuteScalar()!;
        }

        return counts;
    }
}
