using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Digitise.Cli.Tests;

/// <summary>A real process killed with SIGKILL mid-batch, then the same command again.</summary>
public sealed class CrashTests
{
    [Fact]
    public async Task Run_KilledMidBatchThenRerun_ResumesWithoutRedoingOcrDuplicatingOrLosingPages()
    {
        using var batch = new TempBatch(documents: 14, seed: 71);
        string[] command = ["run", batch.Batch, "--mpi", batch.Mpi, "--out", batch.Out, "--db", batch.Db, "-q"];
        int totalPages = Csv.Read(batch.Truth).Sum(t => int.Parse(t["pages"], System.Globalization.CultureInfo.InvariantCulture));

        using (Process first = Digitise.Start(command))
        {
            // Kill once some pages, but not all, are stored.
            var deadline = DateTime.UtcNow.AddMinutes(5);
            while (Count(batch.Db, "SELECT COUNT(*) FROM pages") < 6 && !first.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.False(first.HasExited, "the first run finished before it could be killed");
            first.Kill(entireProcessTree: true); // SIGKILL: no chance to clean up
            await first.WaitForExitAsync();
        }

        long pagesBefore = Count(batch.Db, "SELECT COUNT(*) FROM pages");
        Assert.InRange(pagesBefore, 6, totalPages - 1);

        (int code, string stdout, string stderr) = await Digitise.ExecAsync(command);

        Assert.True(code == 0, stderr);
        // Every page stored before the kill is either in a file already complete (skipped) or reused: only the rest is read again.
        Match run = Regex.Match(stdout, @"this run\s+(\d+) OCRed, (\d+) from text layers, (\d+) blank");
        Assert.True(run.Success, stdout);
        int readAgain = Enumerable.Range(1, 3).Sum(g => int.Parse(run.Groups[g].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(totalPages - pagesBefore, readAgain);

        Assert.Equal(14, Csv.Read(batch.Manifest).Count);
        Assert.Equal(14, Count(batch.Db, "SELECT COUNT(*) FROM documents"));
        Assert.Equal(14, Count(batch.Db, "SELECT COUNT(DISTINCT document_id) FROM decisions"));
        Assert.Equal(14, Count(batch.Db, "SELECT COUNT(*) FROM decisions"));
        Assert.Equal(totalPages, Count(batch.Db, "SELECT COUNT(*) FROM pages"));

        // Failed twice on a loaded machine (2026-11-30) without saying which account was short: the whole report, then.
        string reconciliation = File.ReadAllText(Path.Combine(batch.Out, "reconciliation.txt"));
        Assert.True(reconciliation.Contains("balances:              yes", StringComparison.Ordinal), $"{reconciliation}\n{stdout}");
    }

    private static long Count(string db, string sql)
    {
        if (!File.Exists(db))
        {
            return 0;
        }

        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = sql;
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0; // not migrated yet
        }
    }
}
