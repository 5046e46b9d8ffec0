using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Digitise.Testing;
using Npgsql;

namespace Digitise.Cli.Tests;

/// <summary>
/// The distributed form end to end on the real engines: PostgreSQL and Azurite (blobs + queues) from
/// scripts/with-services, <c>digitise submit</c>, three <c>digitise worker</c> processes, one of them killed with
/// SIGKILL in the middle of a file, then <c>report</c> and <c>export</c>, checked against a single-process
/// <c>digitise run</c> of the same files.
/// </summary>
public sealed partial class DistributedRunTests : IAsyncLifetime
{
    private const int Files = 60;
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..12];
    private string _database = string.Empty;

    private string DatabaseName => "digitise_dist_" + _suffix;

    public async Task InitializeAsync()
    {
        if (TestServices.Postgres is null && !TestServices.InCi)
        {
            return; // skipped by [AzuriteFact]/[PostgresFact] below
        }

        string server = TestServices.RequirePostgres();
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName};", connection);
        await create.ExecuteNonQueryAsync();
        _database = new NpgsqlConnectionStringBuilder(server) { Database = DatabaseName }.ToString();
    }

    public async Task DisposeAsync()
    {
        if (_database.Length == 0)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(TestServices.RequirePostgres());
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {DatabaseName} WITH (FORCE);", connection);
        await drop.ExecuteNonQueryAsync();
    }

    [PostgresFact]
    public async Task SubmitThreeWorkersOneKilled_EveryPageOnce_ManifestEqualsSingleProcessRun()
    {
        string azure = TestServices.RequireAzure();
        using var batch = new TempBatch(documents: Files, seed: 1212);
        int truthPages = Csv.Read(batch.Truth).Sum(t => int.Parse(t["pages"], CultureInfo.InvariantCulture));
        var env = new Dictionary<string, string>
        {
            ["DIGITISE_Storage__Container"] = "c-" + _suffix,
            ["DIGITISE_Storage__QueueName"] = "q-" + _suffix,
            ["OMP_THREAD_LIMIT"] = "1",
        };

        (int submitted, string submitOut, string submitErr) = await Digitise.ExecAsync(env, "submit", batch.Batch, "--batch", "dist", "--mpi", batch.Mpi, "--db", _database, "--blobs", azure, "--queue", azure);
        Assert.True(submitted == 0, submitErr);
        Assert.Contains($"{Files} file(s) queued", submitOut, StringComparison.Ordinal);

        // Three workers; the lease is short so the killed worker's item comes back quickly, and idle exit waits longer than it.
        string[] worker = ["worker", "--db", _database, "--blobs", azure, "--queue", azure, "--workers", "1", "--lease", "12", "--exit-when-idle", "40"];
        var workers = Enumerable.Range(0, 3).Select(_ => new WorkerProcess(Digitise.Start(env, worker))).ToArray();
        try
        {
            // Kill the first worker with SIGKILL as soon as it has taken its second file (its first has been committed).
            string victimTag = await workers[0].WaitForTakenAsync(2);
            workers[0].Process.Kill(entireProcessTree: true);
            await workers[0].Process.WaitForExitAsync();

            // Workers end themselves once the queue has been idle (--exit-when-idle): no clock decides this test.
            foreach (WorkerProcess survivor in workers.Skip(1))
            {
                await survivor.Process.WaitForExitAsync();
                Assert.True(survivor.Process.ExitCode == 0, survivor.Log);
            }

            // The killed worker's file was redone by another worker, as its second delivery.
            string survivors = string.Join('\n', workers.Skip(1).Select(w => w.Log));
            Assert.Matches(new Regex($@"took {victimTag} \(attempt [2-9]\)"), survivors);
            Assert.DoesNotContain("worker_failed", survivors, StringComparison.Ordinal);
        }
        finally
        {
            foreach (WorkerProcess w in workers.Where(w => !w.Process.HasExited))
            {
                w.Process.Kill(entireProcessTree: true);
            }
        }

        // Every page accounted for exactly once.
        (int reported, string report, string reportErr) = await Digitise.ExecAsync(env, "report", "dist", "--db", _database);
        Assert.True(reported == 0, report + reportErr);
        Assert.Contains("balances:              yes", report, StringComparison.Ordinal);
        Assert.Contains($"pages_in:              {truthPages}\n", report, StringComparison.Ordinal);
        Assert.Equal(truthPages, Scalar("SELECT count(*) FROM pages;"));
        Assert.Equal(Files, Scalar("SELECT count(*) FROM documents;"));
        Assert.Equal(Files, Scalar("SELECT count(*) FROM decisions;"));
        Assert.Equal(Files, Scalar("SELECT count(DISTINCT document_id) FROM decisions;"));

        string exportDir = Path.Combine(batch.Root, "export");
        (int exported, string exportOut, string exportErr) = await Digitise.ExecAsync(env, "export", "dist", "--out", exportDir, "--db", _database, "--blobs", azure);
        Assert.True(exported == 0, exportOut + exportErr);

        // The same files through one `digitise run` process, on SQLite and a local folder.
        (int ran, string runOutput) = await Digitise.RunAsync(batch.Batch, batch.Mpi, batch.Out, batch.Db);
        Assert.True(ran == 0, runOutput);

        Assert.Equal(Summary(batch.Manifest), Summary(Path.Combine(exportDir, "manifest.csv")));
        Assert.Equal(
            Directory.GetFiles(Path.Combine(batch.Out, "documents")).Select(Path.GetFileName).Order(StringComparer.Ordinal),
            Directory.GetFiles(Path.Combine(exportDir, "documents")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [PostgresFact]
    public async Task WatchWithQueue_SubmitsEachSettledBatch_ForWorkersToFile()
    {
        string azure = TestServices.RequireAzure();
        var env = new Dictionary<string, string>
        {
            ["DIGITISE_Storage__Container"] = "w-" + _suffix,
            ["DIGITISE_Storage__QueueName"] = "w-" + _suffix,
            ["OMP_THREAD_LIMIT"] = "1",
        };
        string root = Directory.CreateTempSubdirectory("digitise-watch-queue-").FullName;
        try
        {
            string drop = Directory.CreateDirectory(Path.Combine(root, "drop")).FullName;
            string batch = Directory.CreateDirectory(Path.Combine(drop, "wq")).FullName;
            foreach (string file in new[] { "doc-0001.tif", "doc-0004.png" })
            {
                File.Copy(Path.Combine(Repo.Root, "samples", "batch", file), Path.Combine(batch, file));
            }

            var watch = new WorkerProcess(Digitise.Start(env, "watch", drop, "--mpi", Path.Combine(Repo.Root, "samples", "mpi.csv"), "--db", _database,
                "--blobs", azure, "--queue", azure, "--settle", "1"));
            string done = Path.Combine(drop, "done", "wq");
            try
            {
                // The watch moves the batch on once it is queued; it never exits by itself, so the bound is its own failure.
                // Wait for its "done" line, not the folder: the move is seen before the pipe delivers the lines printed ahead of it.
                while (!watch.Log.Contains("wq: done;", StringComparison.Ordinal) && !watch.Process.HasExited && !watch.Log.Contains("failed", StringComparison.Ordinal))
                {
                    await Task.Delay(200);
                }

                Assert.True(Directory.Exists(done), watch.Log);
                Assert.Contains("2 file(s) queued", watch.Log, StringComparison.Ordinal);
            }
            finally
            {
                watch.Process.Kill(entireProcessTree: true);
                await watch.Process.WaitForExitAsync();
            }

            // Nothing ran in the watch: the workers do it, from the blobs and the queue.
            Assert.Equal(0, Scalar("SELECT count(*) FROM pages;"));
            (int worked, string workOut, string workErr) = await Digitise.ExecAsync(env, "worker", "--db", _database, "--blobs", azure, "--queue", azure, "--workers", "1", "--exit-when-idle", "3");
            Assert.True(worked == 0, workOut + workErr);
            string exportDir = Path.Combine(root, "export");
            (int exported, string exportOut, string exportErr) = await Digitise.ExecAsync(env, "export", "wq", "--out", exportDir, "--db", _database, "--blobs", azure);
            Assert.True(exported == 0, exportOut + exportErr);
            List<Dictionary<string, string>> rows = Csv.Read(Path.Combine(exportDir, "manifest.csv"));
            Assert.Equal(["doc-0001.tif", "doc-0004.png"], rows.Select(r => Path.GetFileName(r["source_file"])).Order(StringComparer.Ordinal));
            Assert.All(rows, r => Assert.Equal("auto_filed", r["status"]));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [PostgresFact]
    public async Task ModelTrain_OnPostgres_LearnsClerkTypesAndTheNextRunUsesThem()
    {
        // As DocumentTypeTrainingTests on SQLite: a clerk's type choice on the shared database becomes a label, `model train`
        // stores dt-1 there, and every later run (or worker) types with it.
        using var batch = new TempBatch(documents: 2, seed: 71);
        string blobs = Path.Combine(batch.Root, "blobs");
        string[] run = ["run", batch.Batch, "--mpi", batch.Mpi, "--out", batch.Out, "--db", _database, "--blobs", blobs];
        (int code, _, string stderr) = await Digitise.ExecAsync(run);
        Assert.True(code == 0, stderr);
        Assert.Contains("document types dt-0", stderr, StringComparison.Ordinal);
        string documentId = Csv.Read(batch.Manifest)[0]["document_id"];

        await using (var types = new global::Digitise.Data.Postgres.PostgresDocumentTypeStore(_database))
        {
            Assert.True(await types.SetClerkTypeAsync(documentId, "consent_form", CancellationToken.None));
        }

        (int trained, string stdout, string trainErr) = await Digitise.ExecAsync("model", "train", "--db", _database);
        Assert.True(trained == 0, trainErr);
        Assert.Contains("Trained document types dt-1", stdout, StringComparison.Ordinal);
        Assert.Contains("1 clerk labels (consent_form 1)", stdout, StringComparison.Ordinal);
        Assert.Equal(1, Scalar("SELECT count(*) FROM document_type_models;"));

        (int again, _, string againErr) = await Digitise.ExecAsync(run);
        Assert.True(again == 0, againErr);
        Assert.Contains("document types dt-1", againErr, StringComparison.Ordinal);
        Assert.Equal("consent_form", Csv.Read(batch.Manifest).Single(r => r["document_id"] == documentId)["document_type"]);
    }

    [PostgresFact]
    public async Task ExportFhir_OnPostgres_CarriesTheDocumentDatesAsOnSqlite()
    {
        // Document dates and certificate facts come through IExportFacts: the FHIR bundle and the batch certificate of a
        // batch on PostgreSQL state what the same files run on SQLite state (on PostgreSQL the dates were missing and the
        // certificate refused).
        using var batch = new TempBatch(documents: 6, seed: 1414);
        string blobs = Path.Combine(batch.Root, "blobs");
        (int ran, _, string runErr) = await Digitise.ExecAsync("run", batch.Batch, "--batch", "pg", "--mpi", batch.Mpi, "--out", Path.Combine(batch.Root, "pg-out"), "--db", _database, "--blobs", blobs);
        Assert.True(ran == 0, runErr);
        (int local, string localOut) = await Digitise.RunAsync(batch.Batch, batch.Mpi, batch.Out, batch.Db);
        Assert.True(local == 0, localOut);

        string pgExport = Path.Combine(batch.Root, "pg-export");
        string sqliteExport = Path.Combine(batch.Root, "sqlite-export");
        var ods = new Dictionary<string, string> { ["DIGITISE_Export__OdsCode"] = "RR8" };
        (int a, string aOut, string aErr) = await Digitise.ExecAsync(ods, "export", "pg", "--out", pgExport, "--db", _database, "--blobs", blobs, "--fhir", "--certificate");
        Assert.True(a == 0, aOut + aErr);
        (int b, string bOut, string bErr) = await Digitise.ExecAsync(ods, "export", batch.Out, "--out", sqliteExport, "--db", batch.Db, "--fhir", "--certificate");
        Assert.True(b == 0, bOut + bErr);

        List<string> onPostgres = FhirDates(Path.Combine(pgExport, "fhir", "bundle.json"));
        List<string> onSqlite = FhirDates(Path.Combine(sqliteExport, "fhir", "bundle.json"));
        Assert.NotEmpty(onSqlite);
        Assert.Contains(onSqlite, d => d.Contains("period ", StringComparison.Ordinal)); // the batch has documents with dates read from them
        Assert.Equal(onSqlite, onPostgres);

        // The batch certificate reads the same facts on both stores: every source file with its hash and page count, and the same release statement.
        Assert.Equal(CertificateFacts(Path.Combine(sqliteExport, "certificate.csv")), CertificateFacts(Path.Combine(pgExport, "certificate.csv")));
        Assert.All(Csv.Read(batch.Manifest).Select(r => r["sha256"]).Distinct(), sha => Assert.Contains(sha, File.ReadAllText(Path.Combine(pgExport, "certificate.csv")), StringComparison.Ordinal));
    }

    /// <summary>The certificate's lines that name a file's hash or a release criterion (not its dates or the batch's name).</summary>
    private static List<string> CertificateFacts(string csv) =>
        [.. File.ReadAllLines(csv)
            .Where(l => Regex.IsMatch(l, "[0-9a-f]{64}") || l.StartsWith("criterion", StringComparison.OrdinalIgnoreCase) || l.Contains("release", StringComparison.OrdinalIgnoreCase))
            .Select(l => Regex.Replace(l, @"\d{4}-\d{2}-\d{2}T[0-9:.]+Z", "TIME"))
            .Order(StringComparer.Ordinal)];

    /// <summary>Each DocumentReference's id, context period and attachment creation date, in order.</summary>
    private static List<string> FhirDates(string bundle)
    {
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(bundle));
        var rows = new List<string>();
        foreach (System.Text.Json.JsonElement entry in json.RootElement.GetProperty("entry").EnumerateArray())
        {
            System.Text.Json.JsonElement resource = entry.GetProperty("resource");
            string id = resource.GetProperty("masterIdentifier").GetProperty("value").GetString()!;
            string period = resource.TryGetProperty("context", out System.Text.Json.JsonElement context) && context.TryGetProperty("period", out System.Text.Json.JsonElement p)
                ? "period " + p.GetProperty("start").GetString() + ".." + p.GetProperty("end").GetString()
                : "no period";
            string creation = resource.GetProperty("content")[0].GetProperty("attachment").GetProperty("creation").GetString()!;
            rows.Add($"{id} {period} created {creation}");
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    [PostgresFact]
    public async Task UsersAndAudit_OnPostgres_WorkAsOnSqlite()
    {
        // Accounts, sign-out everywhere and the audit chain on the shared database the web instances serve.
        (int added, string addOut, string addErr) = await Digitise.ExecWithInputAsync("a-long-enough-passphrase-9", "users", "add", "Olive", "--role", "admin", "--password-stdin", "--db", _database);
        Assert.True(added == 0, addOut + addErr);
        (int updated, string updateOut, _) = await Digitise.ExecWithInputAsync("another-long-passphrase-7", "users", "add", "olive", "--role", "manager", "--password-stdin", "--db", _database);
        Assert.Equal((0, "user olive updated (manager)"), (updated, updateOut.Trim()));
        Assert.Equal(0, (await Digitise.ExecAsync("users", "disable", "OLIVE", "--db", _database)).ExitCode);
        Assert.Equal(1, (await Digitise.ExecAsync("users", "signout", "nobody", "--db", _database)).ExitCode);
        Assert.Equal(1, Scalar("SELECT count(*) FROM users WHERE disabled = 1 AND role = 'manager';"));

        (int verified, string audit, string auditErr) = await Digitise.ExecAsync("audit", "verify", "--db", _database);
        Assert.True(verified == 0, audit + auditErr);
        Assert.Contains("rows:              3\n", audit, StringComparison.Ordinal);
        Assert.Contains("intact:            yes", audit, StringComparison.Ordinal);
    }

    /// <summary>What must agree between the two forms: documents, their pages, statuses and patients.</summary>
    private static List<string> Summary(string manifest) =>
        [.. Csv.Read(manifest)
            .Select(r => string.Join('|', r["source_file"], r["document_id"], r["first_page"], r["last_page"], r["status"], r["patient_id"], r["pages"], r["sha256"], r["searchable_pdf"]))
            .Order(StringComparer.Ordinal)];

    private long Scalar(string sql)
    {
        using var connection = new NpgsqlConnection(_database);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"took ([0-9a-f]{12}) \(attempt (\d+)\)")]
    private static partial Regex TookLine();

    /// <summary>A worker process whose stderr is collected line by line as it runs.</summary>
    private sealed class WorkerProcess
    {
        private readonly List<string> _lines = [];
        private readonly SemaphoreSlim _signal = new(0);

        public WorkerProcess(Process process)
        {
            Process = process;
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_lines)
                    {
                        _lines.Add(e.Data);
                    }

                    _signal.Release();
                }
            };
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_lines)
                    {
                        _lines.Add(e.Data);
                    }
                }
            };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
        }

        public Process Process { get; }

        public string Log
        {
            get
            {
                lock (_lines)
                {
                    return string.Join('\n', _lines);
                }
            }
        }

        /// <summary>
        /// Waits until the worker reports taking its <paramref name="nth"/> work item and returns that item's tag; fails
        /// if the worker exits first (it exits by itself once the queue is idle, so this never waits on a clock).
        /// </summary>
        public async Task<string> WaitForTakenAsync(int nth)
        {
            while (true)
            {
                MatchCollection taken = TookLine().Matches(Log);
                if (taken.Count >= nth)
                {
                    return taken[nth - 1].Groups[1].Value;
                }

                Assert.False(Process.HasExited, "the worker exited before it could be killed:\n" + Log);
                await _signal.WaitAsync(TimeSpan.FromSeconds(1));
            }
        }
    }
}
