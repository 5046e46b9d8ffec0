using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Digitise.Data.Sqlite;
using Digitise.Storage;
using Digitise.Verify.Ui;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Digitise.VerifyBench;

/// <summary>
/// Seeds a queue, starts the real app (Kestrel, loopback, a free port) over it, signs a clerk in over HTTP and times
/// confirm-and-next round trips: POST the decision filing the top candidate, then GET the next document, exactly as the
/// clerk screen does on Enter.
/// </summary>
internal static class VerifyBenchmark
{
    private const string Clerk = "bench-clerk";
    private const string Password = "bench-verify-round-trips";

    public static async Task<int> RunAsync(VerifyBenchOptions options, TextWriter output, TextWriter progress, CancellationToken cancellationToken)
    {
        string folder = Path.Combine(Path.GetTempPath(), "digitise-bench-verify", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string database = Path.Combine(folder, "digitise.db");
        try
        {
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"bench-verify: seeding {options.Documents:N0} needs_verification + {options.AutoFiled:N0} auto-filed documents, {options.Patients:N0} patients ..."));
            SeedResult seed = await QueueSeeder.SeedAsync(database, options, cancellationToken);
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"bench-verify: seeded {seed.Pages:N0} pages, {seed.Identifiers:N0} identifiers, {seed.Candidates:N0} candidates in {seed.Elapsed.TotalSeconds:0.0} s"));

            var store = new SqliteVerificationStore(database);
            await new UserPasswords(store).SaveAsync(Clerk, Password, Roles.Clerk, "bench", cancellationToken);
            long queueAtStart = await store.CountQueueAsync(cancellationToken);

            Result result;
            await using (WebApplication app = await VerifyApp.CreateAsync(
                [
                    "--urls", "http://127.0.0.1:0",

                    // Keep stdout for the table: the app's own log lines (warnings and up) go to stderr.
                    "--Logging:LogLevel:Default=Warning",
                    "--Logging:Console:LogToStandardErrorThreshold=Trace",
                ],
                o => o.DatabasePath = database,
                cancellationToken))
            {
                await app.StartAsync(cancellationToken);
                var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
                if (!string.Equals(address.Host, "127.0.0.1", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"The app listens on {address}, not on loopback.");
                }

                progress.WriteLine($"bench-verify: app at {address}; signing in as {Clerk} and running {options.Warmup} warm-up + {options.Rounds} measured round trips ...");
                result = await RunRoundsAsync(address, options, progress, cancellationToken);
                await app.StopAsync(CancellationToken.None);
            }

            long queueAtEnd = await store.CountQueueAsync(CancellationToken.None);
            long filed = ScalarFiledByClerk(database);
            bool pass = result.RoundTrip.Server(95) < options.ThresholdMs;
            Report(output, options, seed, result, queueAtStart, queueAtEnd, filed, pass);
            if (options.Keep)
            {
                progress.WriteLine($"bench-verify: kept {database}");
            }

            return pass ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (!options.Keep)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private sealed record Result(Latencies Next, Latencies Decide, Latencies RoundTrip, Latencies Image, Latencies FirstNext, long QueueShownAtStart, long QueueShownAtEnd);

    private static async Task<Result> RunRoundsAsync(Uri address, VerifyBenchOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        using var clerk = new ClerkClient(address);
        await clerk.SignInAsync(Clerk, Password, cancellationToken);

        var next = new Latencies("GET /api/queue/next");
        var decide = new Latencies("POST /api/documents/{id}/decision (file, top candidate)");
        var roundTrip = new Latencies("**confirm-and-next round trip** (POST + GET)");
        var image = new Latencies("GET page 1 image (loaded by the screen; not in the round trip)");
        var firstNext = new Latencies("first GET /api/queue/next (screen load, cold)");

        // The screen's load: the first document.
        Timed<JsonElement?> current = await clerk.NextAsync(cancellationToken);
        firstNext.Add(current.Timing);
        long shownAtStart = QueueSize(current.Value);
        long shownAtEnd = shownAtStart;
        long lastReport = Stopwatch.GetTimestamp();
        int total = options.Warmup + options.Rounds;
        for (int round = 0; round < total; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            JsonElement document = current.Value ?? throw new InvalidOperationException($"The queue ran dry after {round} round trips.");
            string documentId = document.GetProperty("documentId").GetString()!;
            JsonElement top = document.GetProperty("candidates")[0];
            string patientId = top.GetProperty("patientId").GetString()!;

            // Enter: file to the selected (top) candidate, then fetch the next document.
            Timed<string> decision = await clerk.FileAsync(documentId, patientId, cancellationToken);
            if (decision.Value != "recorded")
            {
                throw new InvalidOperationException($"Filing {documentId} answered '{decision.Value}', not 'recorded'.");
            }

            current = await clerk.NextAsync(cancellationToken);
            if (current.Value is { } shown)
            {
                shownAtEnd = QueueSize(shown);
            }

            // The screen then loads the first page's image.
            Timing? pageImage = current.Value is { } doc ? await clerk.PageImageAsync(FirstImageUrl(doc), cancellationToken) : null;
            if (round >= options.Warmup)
            {
                decide.Add(decision.Timing);
                next.Add(current.Timing);
                roundTrip.Add(new Timing(decision.Timing.ClientMs + current.Timing.ClientMs, decision.Timing.ServerMs + current.Timing.ServerMs));
                if (pageImage is { } t)
                {
                    image.Add(t);
                }
            }

            if (Stopwatch.GetElapsedTime(lastReport) > TimeSpan.FromSeconds(5))
            {
                lastReport = Stopwatch.GetTimestamp();
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench-verify: {round + 1}/{total} round trips"));
            }
        }

        return new Result(next, decide, roundTrip, image, firstNext, shownAtStart, shownAtEnd);
    }

    private static long QueueSize(JsonElement? document) => document is { } d ? d.GetProperty("queueSize").GetInt64() : 0;

    private static string FirstImageUrl(JsonElement document) => document.GetProperty("pages")[0].GetProperty("imageUrl").GetString()!;

    private static long ScalarFiledByClerk(string database)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM decisions WHERE actor = $actor AND status = 'filed';";
        command.Parameters.AddWithValue("$actor", SqliteVerificationStore.UserActorPrefix + Clerk);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Report(
        TextWriter output, VerifyBenchOptions options, SeedResult seed, Result result, long queueAtStart, long queueAtEnd, long filed, bool pass)
    {
        var invariant = CultureInfo.InvariantCulture;
        output.WriteLine("## Clerk confirm-and-next round trip (`scripts/bench-verify`)");
        output.WriteLine();
        output.WriteLine(string.Create(invariant,
            $"- Queue (needs_verification): **{queueAtStart:N0}** at start, **{queueAtEnd:N0}** at end (the screen showed {result.QueueShownAtStart:N0} → {result.QueueShownAtEnd:N0}); " +
            $"{filed:N0} documents filed by the clerk."));
        output.WriteLine(string.Create(invariant,
            $"- Database: {seed.Flagged:N0} flagged + {seed.AutoFiled:N0} auto-filed documents, {seed.Pages:N0} pages of {options.WordsPerPage} words, " +
            $"{seed.Identifiers:N0} identifiers, {seed.Candidates:N0} ranked candidates, {seed.Patients:N0} patients; seeded in {seed.Elapsed.TotalSeconds:0.0} s (seed {options.Seed})."));
        output.WriteLine(string.Create(invariant,
            $"- {options.Rounds} measured round trips after {options.Warmup} warm-up ones; one clerk, one request at a time, HTTP/1.1 over loopback to the real app " +
            $"(Kestrel in process, SQLite WAL file on {Path.GetTempPath()})."));
        output.WriteLine(string.Create(invariant,
            $"- Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}. " +
            $"Milliseconds; server = the app's `Server-Timing: app;dur=`, client = send to last byte read."));
        output.WriteLine();
        output.WriteLine(Latencies.Header);
        output.WriteLine(result.Decide.Row());
        output.WriteLine(result.Next.Row());
        output.WriteLine(result.RoundTrip.Row());
        output.WriteLine(result.Image.Row());
        output.WriteLine(result.FirstNext.Row());
        output.WriteLine();
        output.WriteLine(string.Create(invariant,
            $"**{(pass ? "PASS" : "FAIL")}**: server p95 of the round trip {result.RoundTrip.Server(95):0.0} ms {(pass ? "<" : ">=")} {options.ThresholdMs:0.#} ms."));
    }
}
