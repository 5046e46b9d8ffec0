using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Digitise.Cli;

/// <summary>Everything <c>digitise watch</c> was asked to do.</summary>
internal sealed record WatchRequest(string Directory, string MpiFile, string OutDirectory, string Database, TimeSpan Settle, int? Workers, string? ConfigFile, bool Quiet)
{
    /// <summary>--blobs (as <c>submit</c>).</summary>
    public string? Blobs { get; init; }

    /// <summary>--queue: submit each settled batch to the workers' queue instead of running it here (the scale-out form).</summary>
    public string? Queue { get; init; }
}

/// <summary>
/// <c>digitise watch DIR</c>: for bureaus that drop batches into a folder. Each sub-folder of DIR is a batch; once its
/// files stop changing (names, sizes and modification times the same for --settle seconds) it is run exactly as
/// <c>digitise run</c> would (output in OUT/&lt;batch&gt;/), then moved to DIR/done/, or to DIR/failed/ with
/// &lt;batch&gt;.reason.txt when the run itself failed. Ctrl+C stops cleanly: a batch interrupted mid-run stays where it
/// is, and the next watch resumes it without redoing finished OCR. With <c>--queue</c> a settled batch is submitted instead
/// (as <c>digitise submit</c>, batch name = sub-folder name) for <c>digitise worker</c>s, and moved on once queued.
/// </summary>
internal static class WatchCommand
{
    public const string DoneFolder = "done";
    public const string FailedFolder = "failed";

    public static Command Create(Option<string> dbOption, Option<string?> blobsOption, Option<string?> queueOption, Option<string?> configOption)
    {
        var directory = new Argument<string>("DIR") { Description = "The folder batches are dropped into, one sub-folder per batch." };
        var mpi = new Option<string>("--mpi") { Description = "Master patient index CSV, imported before each batch (as digitise run).", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder: each batch's manifest.csv, reconciliation and documents go to OUT/<batch>/ (not used with --queue: export the batch once the workers are done)." };
        var settle = new Option<double>("--settle") { Description = "Seconds a batch's files must stay unchanged (size and modification time) before it is picked up.", DefaultValueFactory = _ => 10 };
        var workers = new Option<int?>("--workers") { Description = "OCR workers (default: one per core; config Ocr:Workers)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only each batch's summary." };
        var command = new Command("watch", "Watch DIR for batches (sub-folders), run each once its files stop changing, then move it to DIR/done/ or DIR/failed/. Ctrl+C stops cleanly.")
        {
            directory, mpi, output, dbOption, blobsOption, queueOption, settle, workers, configOption, quiet,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(output) is null && result.GetValue(queueOption) is null)
            {
                result.AddError("--out is required (unless --queue submits the batches to workers).");
            }
        });
        command.SetAction((parse, ct) => ExecuteAsync(
            new WatchRequest(parse.GetValue(directory)!, parse.GetValue(mpi)!, parse.GetValue(output) ?? string.Empty, parse.GetValue(dbOption)!,
                TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(settle))), parse.GetValue(workers), parse.GetValue(configOption), parse.GetValue(quiet))
            {
                Blobs = parse.GetValue(blobsOption),
                Queue = parse.GetValue(queueOption),
            },
            Console.Out, Console.Error, TimeProvider.System, ct));
        return command;
    }

    /// <summary>Watches until cancelled; returns 130 then (1 when DIR or the MPI file does not exist).</summary>
    public static async Task<int> ExecuteAsync(WatchRequest request, TextWriter stdout, TextWriter stderr, TimeProvider time, CancellationToken cancellationToken)
    {
        string root = Path.GetFullPath(request.Directory);
        if (!System.IO.Directory.Exists(root) || !File.Exists(request.MpiFile))
        {
            stderr.WriteLine($"digitise: watch: {(System.IO.Directory.Exists(root) ? $"the MPI file '{request.MpiFile}' (--mpi)" : $"the folder '{root}'")} does not exist");
            return 1;
        }

        System.IO.Directory.CreateDirectory(Path.Combine(root, DoneFolder));
        System.IO.Directory.CreateDirectory(Path.Combine(root, FailedFolder));
        TimeSpan poll = TimeSpan.FromSeconds(Math.Clamp(request.Settle.TotalSeconds / 4, 0.2, 2));
        var seen = new Dictionary<string, (string Fingerprint, DateTimeOffset Since)>(StringComparer.Ordinal);
        stderr.WriteLine($"digitise: watching {root} (settle {request.Settle.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s); Ctrl+C stops");
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                foreach (string batch in Batches(root))
                {
                    string? fingerprint = Fingerprint(batch);
                    DateTimeOffset now = time.GetUtcNow();
                    if (fingerprint is null || !seen.TryGetValue(batch, out var last) || last.Fingerprint != fingerprint)
                    {
                        // New, changed, empty or mid-copy: (re)start its quiet period.
                        seen[batch] = (fingerprint ?? string.Empty, now);
                        continue;
                    }

                    if (last.Fingerprint.Length == 0 || now - last.Since < request.Settle)
                    {
                        continue;
                    }

                    seen.Remove(batch);
                    if (!await ProcessAsync(root, batch, request, stdout, stderr, cancellationToken).ConfigureAwait(false))
                    {
                        return 130;
                    }
                }

                foreach (string gone in seen.Keys.Where(k => !System.IO.Directory.Exists(k)).ToList())
                {
                    seen.Remove(gone);
                }

                await Task.Delay(poll, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        stderr.WriteLine("digitise: watch stopped");
        return 130;
    }

    /// <summary>Runs one settled batch and moves it on; false when the run was interrupted (Ctrl+C).</summary>
    private static async Task<bool> ProcessAsync(string root, string batch, WatchRequest request, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        string name = Path.GetFileName(batch);
        stdout.WriteLine($"watch: {name}: picked up");
        var run = new RunRequest([batch], request.MpiFile, Path.Combine(request.OutDirectory, name), request.Database, null, request.Workers, request.ConfigFile, request.Quiet);
        string? failure;
        try
        {
            int code = request.Queue is null
                ? await RunCommand.ExecuteAsync(run, stdout, stderr, ct).ConfigureAwait(false)
                : await SubmitCommand.ExecuteAsync([batch], name, request.MpiFile, request.Database, request.Blobs, request.Queue, request.ConfigFile, stdout, stderr, ct)
                    .ConfigureAwait(false);
            if (code == 130 || ct.IsCancellationRequested)
            {
                stdout.WriteLine($"watch: {name}: interrupted; left in place to resume");
                return false;
            }

            failure = code == 0 ? null : $"digitise {(request.Queue is null ? "run" : "submit")} exited with code {code}";
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            stdout.WriteLine($"watch: {name}: interrupted; left in place to resume");
            return false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failure = $"{ex.GetType().Name}: {ex.Message}";
        }

        string target = Unique(Path.Combine(root, failure is null ? DoneFolder : FailedFolder, name));
        System.IO.Directory.Move(batch, target);
        if (failure is not null)
        {
            await File.WriteAllTextAsync(target + ".reason.txt", failure + "\n", CancellationToken.None).ConfigureAwait(false);
            stderr.WriteLine($"digitise: watch: {name}: failed ({failure}); moved to {target}");
        }
        else
        {
            stdout.WriteLine($"watch: {name}: done; moved to {target}");
        }

        return true;
    }

    private static IEnumerable<string> Batches(string root)
    {
        try
        {
            return System.IO.Directory.EnumerateDirectories(root)
                .Where(d => Path.GetFileName(d) is not (DoneFolder or FailedFolder) && !Path.GetFileName(d).StartsWith('.'))
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Names, sizes and modification times of every file in the batch; null when it is empty or changing under us.</summary>
    private static string? Fingerprint(string batch)
    {
        try
        {
            var text = new StringBuilder();
            int files = 0;
            foreach (FileInfo file in new DirectoryInfo(batch).EnumerateFiles("*", SearchOption.AllDirectories).OrderBy(f => f.FullName, StringComparer.Ordinal))
            {
                files++;
                text.Append(file.FullName).Append('|').Append(file.Length.ToString(CultureInfo.InvariantCulture)).Append('|')
                    .Append(file.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            return files == 0 ? null : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Unique(string path)
    {
        string candidate = path;
        for (int n = 2; System.IO.Directory.Exists(candidate) || File.Exists(candidate + ".reason.txt"); n++)
        {
            candidate = path + "-" + n.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }
}
