namespace Digitise.Cli.Tests;

/// <summary>The public CLI contract bureaus script against, exercised through the real ./digitise launcher.</summary>
public sealed class CliContractTests
{
    [Fact]
    public async Task Help_Run_ExplainsEveryOption()
    {
        (int code, string stdout, _) = await Digitise.ExecAsync("run", "--help");

        Assert.Equal(0, code);
        foreach (string option in new[] { "INPUT", "--mpi", "--out", "--db", "--batch", "--workers", "--config", "--quiet", "DIGITISE_DB" })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Run_RealProcess_WritesManifestWithContractColumnsAndExitsZero()
    {
        using var batch = new TempBatch(documents: 3, seed: 53);
        File.WriteAllBytes(Path.Combine(batch.Batch, "zero.tif"), []);

        (int code, string stdout, string stderr) = await Digitise.ExecAsync("run", batch.Batch, "--mpi", batch.Mpi, "--out", batch.Out, "--db", batch.Db);

        Assert.True(code == 0, stderr);
        IReadOnlyList<string> header = Csv.Header(batch.Manifest);
        foreach (string column in new[] { "source_file", "document_id", "first_page", "last_page", "status", "patient_id", "match_score", "reason" })
        {
            Assert.Contains(column, header);
        }

        Assert.Equal(4, Csv.Read(batch.Manifest).Count);

        // document_type is appended last (bureaus read the manifest by position); every document but the quarantined one has one.
        Assert.Equal("document_type", header[^1]);
        Assert.All(Csv.Read(batch.Manifest), r => Assert.Equal(r["status"] != "quarantined",
            global::Digitise.Domain.DocumentTypeOptions.Defaults.Any(t => t.Code == r["document_type"])));
        Assert.Contains("pages/s", stdout, StringComparison.Ordinal);
        Assert.Contains("quarantined", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DatabaseFromEnvironment_UsedWhenNoDbOption()
    {
        using var batch = new TempBatch(documents: 1, seed: 59);
        string db = Path.Combine(batch.Root, "from-env.db");
        // The default database under a folder of the test's own, not the machine's ~/.local/share (which other branches' runs share).
        string dataHome = Path.Combine(batch.Root, "xdg");
        using System.Diagnostics.Process process = Digitise.Start(new Dictionary<string, string> { ["XDG_DATA_HOME"] = dataHome }, "run", batch.Batch, "--mpi", batch.Mpi, "--out", batch.Out, "-q");
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        Assert.True(File.Exists(Path.Combine(dataHome, "digitise", "digitise.db")));

        var start = new System.Diagnostics.ProcessStartInfo(Path.Combine(Repo.Root, "digitise")) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "run", batch.Batch, "--mpi", batch.Mpi, "--out", batch.Out, "-q" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DIGITISE_DB"] = db;
        using System.Diagnostics.Process withEnv = System.Diagnostics.Process.Start(start)!;
        await withEnv.StandardOutput.ReadToEndAsync();
        await withEnv.WaitForExitAsync();

        Assert.Equal(0, withEnv.ExitCode);
        Assert.True(File.Exists(db));
    }

    [Fact]
    public async Task Run_MissingMpiOption_FailsWithUsage()
    {
        (int code, _, string stderr) = await Digitise.ExecAsync("run", "somewhere", "--out", "/tmp/x");

        Assert.NotEqual(0, code);
        Assert.Contains("--mpi", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MpiFileMissing_FailsWithMessageNotStackTrace()
    {
        using var batch = new TempBatch(documents: 1, seed: 61);

        (int code, _, string stderr) = await Digitise.ExecAsync("run", batch.Batch, "--mpi", Path.Combine(batch.Root, "nope.csv"), "--out", batch.Out, "--db", batch.Db);

        Assert.Equal(1, code);
        Assert.Contains("nope.csv", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// The MPI is imported beside OCR, so its failure arrives while pages are being read: the run still ends with that
    /// failure (exit 1, its own message), not with the cancellation it caused in the other stages.
    /// </summary>
    [Fact]
    public async Task Run_MpiFileEmpty_FailsWithTheImportsMessageNotACancellation()
    {
        using var batch = new TempBatch(documents: 2, seed: 62);
        string empty = Path.Combine(batch.Root, "empty.csv");
        await File.WriteAllTextAsync(empty, string.Empty);

        (int code, _, string stderr) = await Digitise.ExecAsync("run", batch.Batch, "--mpi", empty, "--out", batch.Out, "--db", batch.Db);

        Assert.Equal(1, code);
        Assert.Contains("The MPI file is empty", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("cancel", stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}
