using System.Diagnostics;
using System.Globalization;
using Digitise.Data.Sqlite;
using Digitise.Domain;
using Digitise.Indexing;
using Digitise.Indexing.Matching;
using Digitise.Storage;

namespace Digitise.Benchmarks;

/// <summary>
/// What <c>digitise run</c> does with the MPI before the first page, the way it did before issue 9 and the way it does now,
/// each in its own process so the peak working set is that way's alone (<c>digitise-bench mpi-run before|after CSV DB</c>).
/// Before: the CSV read whole into a list (kept for previous family names), imported, the database read back into a list,
/// one index built only to print its count, a second for the matcher. After: the CSV streamed into the database, the
/// database read once into the one index the matcher uses.
/// </summary>
internal static class MpiRunPreparation
{
    public static async Task<int> RunAsync(string mode, string csv, string db, TextWriter stdout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using (SqliteDigitiseStore store = await SqliteDigitiseStore.OpenAsync(db, cancellationToken).ConfigureAwait(false))
        {
            int indexes;
            int count;
            if (mode == "before")
            {
                MpiReadResult read = MpiCsvReader.ReadFile(csv);
                List<Patient> fromCsv = [.. read.Patients];
                await store.UpsertPatientsAsync(fromCsv, cancellationToken).ConfigureAwait(false);
                var fromDb = new List<Patient>();
                await foreach (Patient p in store.ReadPatientsAsync(cancellationToken).ConfigureAwait(false))
                {
                    fromDb.Add(p);
                }

                var counted = new PatientIndex(fromDb);
                count = counted.Count;
                var previous = fromCsv.Where(p => p.PreviousFamilyName is not null).ToDictionary(p => p.PatientId, p => p.PreviousFamilyName, StringComparer.Ordinal);
                var index = new PatientIndex(fromDb.Select(p => previous.TryGetValue(p.PatientId, out string? name) ? p with { PreviousFamilyName = name } : p));
                _ = Matcher(index);
                GC.KeepAlive(counted);
                GC.KeepAlive(fromCsv);
                indexes = 2;
            }
            else
            {
                MpiReadResult read = MpiCsvReader.ReadFile(csv);
                await store.UpsertPatientsAsync(read.Patients, cancellationToken).ConfigureAwait(false);
                read = null!;
                var patients = new List<Patient>();
                await foreach (Patient p in store.ReadPatientsAsync(cancellationToken).ConfigureAwait(false))
                {
                    patients.Add(p);
                }

                var index = new PatientIndex(patients);
                count = index.Count;
                _ = Matcher(index);
                indexes = 1;
            }

            using Process self = Process.GetCurrentProcess();
            self.Refresh();
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{mode}\t{count}\t{indexes}\t{clock.Elapsed.TotalSeconds:0.0}\t{self.PeakWorkingSet64 / 1048576.0:0}"));
        }

        return 0;
    }

    /// <summary>Runs both ways as child processes on fresh copies of the database and returns the benchmark's rows.</summary>
    public static IEnumerable<(string Measure, string Result, string Target, bool? Met)> Compare(string csv, string folder, int patients, Action<string> log)
    {
        var results = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (string mode in new[] { "before", "after" })
        {
            string db = Path.Combine(folder, $"run-{mode}.db");
            foreach (string suffix in new[] { string.Empty, "-wal", "-shm" })
            {
                File.Delete(db + suffix);
            }

            log($"run preparation, {mode} issue 9, in a child process");
            var start = new ProcessStartInfo(Environment.ProcessPath!)
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            if (!Environment.ProcessPath!.EndsWith("digitise-bench", StringComparison.Ordinal))
            {
                start.ArgumentList.Add(typeof(MpiRunPreparation).Assembly.Location);
            }

            foreach (string arg in new[] { "mpi-run", mode, csv, db })
            {
                start.ArgumentList.Add(arg);
            }

            using Process child = Process.Start(start)!;
            string line = child.StandardOutput.ReadToEnd().Trim();
            child.WaitForExit();
            results[mode] = line.Split('\t');
        }

        string[] before = results["before"], after = results["after"];
        if (before.Length < 5 || after.Length < 5)
        {
            yield return ("Run preparation before/after issue 9", "FAILED: a child process printed no figures", string.Empty, false);
            yield break;
        }

        double peakBefore = double.Parse(before[4], CultureInfo.InvariantCulture), peakAfter = double.Parse(after[4], CultureInfo.InvariantCulture);
        yield return (
            string.Create(CultureInfo.InvariantCulture, $"**Run preparation, {patients:N0} patients**: MPI loads / indexes"),
            $"before: CSV list + DB list, {before[2]} indexes; after: DB once, {after[2]} index",
            "one load, one index",
            after[2] == "1");
        yield return (
            "Run preparation time (import + load + index + matcher)",
            $"before {before[3]} s, after {after[3]} s",
            string.Empty,
            null);
        yield return (
            "**Run preparation peak working set**",
            string.Create(CultureInfo.InvariantCulture, $"before {peakBefore:0} MB, **after {peakAfter:0} MB** ({peakAfter / peakBefore:0.00}x)"),
            "after < before",
            peakAfter < peakBefore);
    }

    /// <summary>
    /// The real thing beside the reconstruction: <c>digitise run</c> (the CLI through its composition root) of one sample
    /// page against the same MPI, in a fresh database; its peak working set as the run itself reports it.
    /// </summary>
    public static (string Measure, string Result, string Target, bool? Met) RealRun(string csv, string folder, int patients, Action<string> log)
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Digitise.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new InvalidOperationException("Digitise.sln not found above the benchmark");
        }

        string db = Path.Combine(folder, "run-real.db");
        string output = Path.Combine(folder, "run-real");
        foreach (string suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Delete(db + suffix);
        }

        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        log("digitise run, one page, the same MPI, in a child process");
        var start = new ProcessStartInfo(Path.Combine(root, "digitise"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "run", Path.Combine(root, "samples", "batch", "doc-0004.png"), "--mpi", csv, "--out", output, "--db", db })
        {
            start.ArgumentList.Add(arg);
        }

        var clock = Stopwatch.StartNew();
        using Process child = Process.Start(start)!;
        Task<string> error = child.StandardError.ReadToEndAsync();
        string stdout = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        string measure = string.Create(CultureInfo.InvariantCulture, $"**`digitise run` itself**, one page, {patients:N0} patients");
        System.Text.RegularExpressions.Match peak = System.Text.RegularExpressions.Regex.Match(stdout, @"peak memory\s+(\d+) MiB");
        if (child.ExitCode != 0 || !peak.Success)
        {
            return (measure, $"FAILED (exit {child.ExitCode}): {error.Result.Trim()}", string.Empty, false);
        }

        double mb = double.Parse(peak.Groups[1].Value, CultureInfo.InvariantCulture); // MiB, as the rows above print
        return (measure, string.Create(CultureInfo.InvariantCulture, $"peak working set **{mb:0} MB**, {clock.Elapsed.TotalSeconds:0.0} s end to end (import, index, OCR, filing)"), string.Empty, null);
    }

    private static FellegiSunterMatcher Matcher(PatientIndex index) =>
        new(index, ModelTrainer.EstimateU(index, MatchModel.Default(), 50_000, 12345), new MatchingOptions());
}
