using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Digitise.Domain;
using Digitise.Hosting;
using Digitise.Indexing;
using Digitise.Indexing.Matching;
using Digitise.Ingest;
using Digitise.Ocr;
using Digitise.Pipeline;
using Digitise.Storage;

namespace Digitise.Cli;

/// <summary>
/// <c>digitise worker --db CONN --blobs CONN --queue CONN [--exit-when-idle SECONDS]</c>: takes work items one at a
/// time and runs each file through the same pipeline as <c>run</c>. The queue message's visibility timeout is the
/// lease, extended while the file is worked on; the message is deleted only after the file's documents are committed.
/// A worker that dies (even SIGKILL) stops extending, the message reappears and another worker redoes the file; the
/// store's idempotent saves make the redo harmless (pages already stored are reused, decided documents kept). A file
/// handed out more than --max-attempts times is quarantined with its reason and the batch goes on.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create(CommonOptions common)
    {
        Option<string?> queue = SubmitCommand.QueueOption();
        var idle = new Option<double?>("--exit-when-idle") { Description = "Exit once the queue has been empty for this many seconds (default: run until stopped)." };
        var lease = new Option<int>("--lease") { Description = "Seconds a work item stays hidden from other workers; extended every third of it while the file is worked on.", DefaultValueFactory = _ => 120 };
        var attempts = new Option<int>("--max-attempts") { Description = "A file handed out more times than this is quarantined (worker_failed) instead of tried again.", DefaultValueFactory = _ => 3 };
        var workers = new Option<int?>("--workers") { Description = "OCR workers in this process (default: one per core; config Ocr:Workers)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the final count." };
        var command = new Command("worker", "Process queued files (from digitise submit) until stopped, or until the queue stays empty for --exit-when-idle seconds. Run any number, on any machines.")
        {
            queue, idle, lease, attempts, workers, quiet,
        };
        common.AddTo(command);
        CommonOptions.SetGuardedAction(command, async (parse, ct) =>
        {
            var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            if (parse.GetValue(workers) is int n)
            {
                overrides["Ocr:Workers"] = n.ToString(CultureInfo.InvariantCulture);
            }

            await using DigitiseHost host = DigitiseHost.Create(common.Request(parse, overrides) with { Queue = parse.GetValue(queue) });
            return await new Worker(
                host, parse.GetValue(idle), TimeSpan.FromSeconds(Math.Max(10, parse.GetValue(lease))), Math.Max(1, parse.GetValue(attempts)),
                parse.GetValue(quiet) ? TextWriter.Null : Console.Error).RunAsync(Console.Out, ct).ConfigureAwait(false);
        });
        return command;
    }

    private sealed class Worker(DigitiseHost host, double? exitWhenIdle, TimeSpan lease, int maxAttempts, TextWriter log)
    {
        private static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(2);

        private string? _indexBatch;
        private IMatcher? _matcher;

        public async Task<int> RunAsync(TextWriter stdout, CancellationToken cancellationToken)
        {
            OcrOptions ocr = host.Get<OcrOptions>();
            log.WriteLine($"digitise worker {Environment.ProcessId}: OCR {TesseractEngine.Probe(ocr)}; {ocr.EffectiveWorkers} OCR worker(s)");
            await using IDigitiseStore store = await host.Storage.OpenStoreAsync(cancellationToken).ConfigureAwait(false);
            IBlobStore blobStore = host.Get<IBlobStore>();
            IWorkQueue work = await host.Storage.OpenQueueAsync(cancellationToken).ConfigureAwait(false);
            DirectoryInfo scratch = Directory.CreateTempSubdirectory("digitise-worker-");
            int done = 0, pages = 0;
            var clock = Stopwatch.StartNew();
            try
            {
                TimeSpan idleSince = clock.Elapsed;
                TimeSpan poll = TimeSpan.FromMilliseconds(200);
                while (!cancellationToken.IsCancellationRequested)
                {
                    WorkLease? taken = await work.ReceiveAsync(lease, cancellationToken).ConfigureAwait(false);
                    if (taken is null)
                    {
                        if (exitWhenIdle is double seconds && (clock.Elapsed - idleSince).TotalSeconds >= seconds)
                        {
                            break;
                        }

                        await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
                        poll = TimeSpan.FromTicks(Math.Min(MaxPoll.Ticks, poll.Ticks * 2));
                        continue;
                    }

                    poll = TimeSpan.FromMilliseconds(200);
                    pages += await ProcessAsync(taken, store, blobStore, work, scratch.FullName, cancellationToken).ConfigureAwait(false);
                    done++;
                    idleSince = clock.Elapsed;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C / SIGTERM: the item in hand was not deleted and comes back to another worker.
            }
            finally
            {
                scratch.Delete(recursive: true);
            }

            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Worker {Environment.ProcessId}: {done} work item(s), {pages} page(s) in {clock.Elapsed.TotalSeconds:0.0} s."));
            return cancellationToken.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Success;
        }

        /// <returns>Pages recognised.</returns>
        private async Task<int> ProcessAsync(
            WorkLease taken, IDigitiseStore store, IBlobStore blobStore, IWorkQueue work, string scratch, CancellationToken cancellationToken)
        {
            WorkItem item = taken.Item;
            string tag = item.Sha256.Length >= 12 ? item.Sha256[..12] : item.Sha256;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"digitise worker {Environment.ProcessId}: took {tag} (attempt {taken.DequeueCount})"));
            using var renewing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var holder = new StrongBox<WorkLease>(taken);
            Task renewal = RenewAsync(work, holder, renewing.Token);
            string local = Path.Combine(scratch, item.Sha256);
            try
            {
                string? failure = item.Failure;
                if (failure is null && taken.DequeueCount > maxAttempts)
                {
                    // Poison: tried and failed (or killed) every time. Quarantined with the reason; the batch goes on.
                    failure = string.Create(CultureInfo.InvariantCulture, $"worker_failed: the file was handed to workers {taken.DequeueCount - 1} times without finishing");
                    log.WriteLine($"digitise worker {Environment.ProcessId}: {tag}: {failure}");
                }

                if (failure is null)
                {
                    await DownloadAsync(blobStore, item, local, cancellationToken).ConfigureAwait(false);
                }

                IMatcher matcher = await MatcherForAsync(item.BatchName, store, cancellationToken).ConfigureAwait(false);
                SeparationOptions separation = host.Get<SeparationOptions>();
                var pipeline = new DigitisePipeline(
                    new OneFile(new DiscoveredSource(new SourceFile(local, item.Path, item.Sha256, item.Length), failure)),
                    host.Get<IPageSource>(),
                    host.Get<IOcrStage>(),
                    host.Get<IIdentifierExtractor>(),
                    matcher,
                    store,
                    host.Get<PipelineOptions>(),
                    blobStore,
                    separation.Modes == SeparationModes.None ? null : new DocumentSeparator(separation),
                    host.Logger<DigitisePipeline>());
                PipelineSummary summary = await pipeline.RunAsync([local], item.BatchName, null, cancellationToken).ConfigureAwait(false);
                if (summary.Cancelled)
                {
                    return 0;
                }

                await renewing.CancelAsync().ConfigureAwait(false);
                await renewal.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                try
                {
                    await work.CompleteAsync(holder.Value!, cancellationToken).ConfigureAwait(false);
                }
                catch (global::Azure.RequestFailedException ex) when (ex.Status is 404 or 400)
                {
                    // The lease ran out and another worker holds the item: it will find the file complete and skip it.
                    log.WriteLine($"digitise worker {Environment.ProcessId}: {tag}: lease lost before delete ({ex.Status}); the next holder finds it done");
                }

                int recognised = summary.PagesRecognised + summary.PagesFromTextLayer - summary.PagesReused;
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"digitise worker {Environment.ProcessId}: {tag}: {recognised} page(s), {summary.DocumentsByStatus.Values.Sum()} document(s), attempt {taken.DequeueCount}"));
                return recognised;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OcrUnavailableException)
            {
                // Infrastructure failure (database, blob store, network): leave the item for a retry soon, by this or another worker.
                log.WriteLine($"digitise worker {Environment.ProcessId}: {tag}: attempt {taken.DequeueCount} failed: {ex.GetType().Name}: {ex.Message}");
                await renewing.CancelAsync().ConfigureAwait(false);
                await renewal.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                try
                {
                    await work.ExtendAsync(holder.Value!, TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
                }
                catch (global::Azure.RequestFailedException)
                {
                    // Lease already lost: the item is visible again anyway.
                }

                return 0;
            }
            finally
            {
                await renewing.CancelAsync().ConfigureAwait(false);
                await renewal.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                File.Delete(local);
            }
        }

        /// <summary>Extends the lease every third of its length until cancelled.</summary>
        private async Task RenewAsync(IWorkQueue work, StrongBox<WorkLease> holder, CancellationToken cancellationToken)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(lease / 3, cancellationToken).ConfigureAwait(false);
                holder.Value = await work.ExtendAsync(holder.Value!, lease, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Copies the archived source to local disk (decoders need random access), checking it against its SHA-256.</summary>
        private static async Task DownloadAsync(IBlobStore blobStore, WorkItem item, string local, CancellationToken cancellationToken)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (Stream source = await blobStore.OpenReadAsync(BlobKeys.Source(item.Sha256), cancellationToken).ConfigureAwait(false))
            await using (var target = new FileStream(local, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                byte[] buffer = new byte[81920];
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }

            string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!string.Equals(actual, item.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"The archived source {item.Sha256[..12]} has SHA-256 {actual[..12]}: the blob store holds different bytes.");
            }
        }

        /// <summary>The MPI is read once per batch: submit imports it before queueing, so a new batch name means a fresh index.</summary>
        private async Task<IMatcher> MatcherForAsync(string batch, IDigitiseStore store, CancellationToken cancellationToken)
        {
            if (_matcher is not null && _indexBatch == batch)
            {
                return _matcher;
            }

            var patients = new List<Patient>();
            await foreach (Patient patient in store.ReadPatientsAsync(cancellationToken).ConfigureAwait(false))
            {
                patients.Add(patient);
            }

            _matcher = await ModelCommand.CreateMatcherAsync(host.Get<IModelStore>(), new PatientIndex(patients), host.Get<MatchingOptions>(), log, cancellationToken).ConfigureAwait(false);
            _indexBatch = batch;
            return _matcher;
        }
    }

    /// <summary>Discovery of exactly the one file a work item names, with the path and hash recorded at submit time.</summary>
    private sealed class OneFile(DiscoveredSource source) : ISourceDiscovery
    {
        public async IAsyncEnumerable<DiscoveredSource> DiscoverAsync(IReadOnlyList<string> inputs, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask.ConfigureAwait(false);
            yield return source;
        }
    }
}
