using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Digitise.Domain;
using Digitise.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Digitise.Pipeline;

/// <summary>
/// The staged pipeline: discover files -> decode pages -> OCR -> assemble documents -> extract identifiers -> match
/// -> persist. Every boundary is a bounded channel (backpressure: memory stays flat however big the batch), every
/// stage completes its output on the way out so completion and faults flow downstream, and bad input travels as
/// data (<see cref="PageFailure"/>) to be quarantined, never as an exception that stops the batch.
/// </summary>
public sealed partial class DigitisePipeline
{
    private readonly ISourceDiscovery _discovery;
    private readonly IPageSource _pages;
    private readonly IOcrStage _ocr;
    private readonly IIdentifierExtractor _extractor;
    private readonly Task<DecisionModels> _models;
    private readonly IDigitiseStore _store;
    private readonly PipelineOptions _options;
    private readonly ILogger _logger;
    private readonly IBlobStore? _archive;
    private readonly IDocumentSeparator? _separator;
    private readonly bool _queueUncertainTypes;

    private int _filesFound;
    private int _filesSkipped;
    private int _pagesRead;
    private int _pagesRecognised;
    private int _pagesFromTextLayer;
    private int _pagesFailed;
    private int _pagesReused;
    private int _pagesBlank;
    private int _pagesSeparator;
    private int _documentsDone;

    public DigitisePipeline(
        ISourceDiscovery discovery,
        IPageSource pages,
        IOcrStage ocr,
        IIdentifierExtractor extractor,
        IMatcher matcher,
        IDigitiseStore store,
        PipelineOptions options,
        IBlobStore? archive = null,
        IDocumentSeparator? separator = null,
        ILogger<DigitisePipeline>? logger = null,
        IDocumentClassifier? classifier = null,
        bool queueUncertainTypes = true)
        : this(discovery, pages, ocr, extractor, Task.FromResult(new DecisionModels(matcher, classifier)), store, options, archive, separator, logger, queueUncertainTypes)
    {
    }

    /// <summary>
    /// A pipeline whose matcher and classifier may still be in preparation (the MPI imported and indexed, the models
    /// loaded): pages are read, checked and OCRed meanwhile, and the first document waits for them. A preparation that
    /// fails ends the run with its own error.
    /// </summary>
    public DigitisePipeline(
        ISourceDiscovery discovery,
        IPageSource pages,
        IOcrStage ocr,
        IIdentifierExtractor extractor,
        Task<DecisionModels> models,
        IDigitiseStore store,
        PipelineOptions options,
        IBlobStore? archive = null,
        IDocumentSeparator? separator = null,
        ILogger<DigitisePipeline>? logger = null,
        bool queueUncertainTypes = true)
    {
        options.Validate();
        _discovery = discovery;
        _pages = pages;
        _ocr = ocr;
        _extractor = extractor;
        _models = models;
        _store = store;
        _options = options;
        _archive = archive;
        _separator = separator;
        _queueUncertainTypes = queueUncertainTypes;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Runs the batch. Cancellation stops cleanly: what was finished stays stored, and the summary says so.</summary>
    public async Task<PipelineSummary> RunAsync(
        IReadOnlyList<string> inputs,
        string batchName,
        IProgress<PipelineProgress>? progress,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long batchId = await _store.OpenBatchAsync(batchName, cancellationToken).ConfigureAwait(false);
        var byStatus = new Dictionary<DocumentStatus, int>();
        LogBatchStarted(batchId, inputs.Count);

        var files = Bounded<SourceFile>(_options.FileChannelCapacity);
        var pages = Bounded<PageItem>(_options.PageChannelCapacity);
        var recognised = Bounded<PageItem>(_options.PageChannelCapacity);
        var saved = Bounded<PageItem>(_options.PageChannelCapacity);
        var documents = Bounded<FileDocuments>(_options.DocumentChannelCapacity);
        var outcomes = Bounded<FileOutcome>(_options.DocumentChannelCapacity);

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CancellationToken ct = linked.Token;
        using var ticker = progress is null ? null : new Timer(_ => progress.Report(Snapshot(clock.Elapsed)), null, 1000, 1000);

        Task[] stages =
        [
            Guard(Completing(files.Writer, () => DiscoverAsync(inputs, batchId, files.Writer, pages.Writer, ct)), linked),
            Guard(Completing(pages.Writer, () => DecodeAsync(files.Reader, pages.Writer, ct)), linked),
            Guard(_ocr.RunAsync(pages.Reader, recognised.Writer, ct), linked),
            Guard(Completing(saved.Writer, () => SavePagesAsync(recognised.Reader, saved.Writer, ct)), linked),
            Guard(Completing(documents.Writer, () => AssembleAsync(saved.Reader, documents.Writer, ct)), linked),
            Guard(Completing(outcomes.Writer, () => MatchAsync(documents.Reader, outcomes.Writer, ct)), linked),
            Guard(PersistAsync(batchId, outcomes.Reader, byStatus, ct), linked),
        ];

        bool cancelled = false;
        try
        {
            await Task.WhenAll(stages).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            cancelled = true;
        }
        catch (OperationCanceledException) when (RootCause(stages) is { } cause)
        {
            // A faulted stage cancelled its siblings, and the first stage's cancellation is what WhenAll rethrows: the
            // operator needs the fault itself.
            ExceptionDispatchInfo.Throw(cause);
        }

        await _store.CompleteBatchAsync(batchId, cancelled ? "interrupted" : "complete", CancellationToken.None).ConfigureAwait(false);
        progress?.Report(Snapshot(clock.Elapsed));
        LogBatchFinished(batchId, _documentsDone, (long)clock.Elapsed.TotalMilliseconds, cancelled);
        return new PipelineSummary(batchId, _filesFound, _filesSkipped, _pagesRecognised, _pagesFromTextLayer, _pagesFailed, byStatus, clock.Elapsed, cancelled)
        {
            PagesReused = _pagesReused,
            PagesBlank = _pagesBlank,
            PagesSeparator = _pagesSeparator,
        };
    }

    private static Exception? RootCause(Task[] stages) =>
        stages.Where(s => s.IsFaulted).SelectMany(s => s.Exception!.InnerExceptions).FirstOrDefault(e => e is not OperationCanceledException);

    private PipelineProgress Snapshot(TimeSpan elapsed) =>
        new(Volatile.Read(ref _filesFound), Volatile.Read(ref _filesSkipped), Volatile.Read(ref _pagesRead),
            Volatile.Read(ref _pagesRecognised) + Volatile.Read(ref _pagesFromTextLayer), Volatile.Read(ref _documentsDone), elapsed);

    private static Channel<T> Bounded<T>(int capacity) =>
        Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = false, SingleWriter = false });

    /// <summary>A stage that faults cancels its siblings so the run ends instead of waiting on a dead stage.</summary>
    private static async Task Guard(Task stage, CancellationTokenSource linked)
    {
        try
        {
            await stage.ConfigureAwait(false);
        }
        catch
        {
            await linked.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs a stage and completes the channel it writes however the stage ends: normally, or with its exception, which
    /// the next stage's reader then throws. (The OCR stage completes its own output.)
    /// </summary>
    private static async Task Completing<T>(ChannelWriter<T> output, Func<Task> stage)
    {
        try
        {
            await stage().ConfigureAwait(false);
            output.TryComplete();
        }
        catch (Exception ex)
        {
            output.TryComplete(ex);
            throw;
        }
    }

    private async Task DiscoverAsync(IReadOnlyList<string> inputs, long batchId, ChannelWriter<SourceFile> files, ChannelWriter<PageItem> failures, CancellationToken ct)
    {
        await foreach (DiscoveredSource found in _discovery.DiscoverAsync(inputs, ct).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _filesFound);
            await _store.RecordSourceAsync(batchId, found.File, ct).ConfigureAwait(false);
            if (found.Failure is not null)
            {
                // Unreadable paths skip decoding but still travel the pipeline to be quarantined and counted.
                await failures.WriteAsync(new PageFailure(found.File, 0, 0, found.Failure), ct).ConfigureAwait(false);
            }
            else if (await _store.IsSourceCompleteAsync(found.File.Sha256, ct).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _filesSkipped);
                LogSourceSkipped(found.File.Sha256[..12]);
            }
            else
            {
                await files.WriteAsync(found.File, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task DecodeAsync(ChannelReader<SourceFile> files, ChannelWriter<PageItem> pages, CancellationToken ct)
    {
        await foreach (SourceFile file in files.ReadAllAsync(ct).ConfigureAwait(false))
        {
            // Pages finished by an earlier, interrupted run are not OCRed again.
            Dictionary<int, PageText> stored = (await _store.GetStoredPagesAsync(file, ct).ConfigureAwait(false))
                .ToDictionary(p => p.PageNumber);
            await foreach (PageItem page in ReadSafelyAsync(file, ct).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _pagesRead);
                PageItem next = page;
                if (page is PageImage && stored.TryGetValue(page.PageNumber, out PageText? done))
                {
                    Interlocked.Increment(ref _pagesReused);
                    next = done with { PageCount = page.PageCount };
                }

                await pages.WriteAsync(next, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A reader that throws part-way through a file (a bug, or input no check foresaw) quarantines the file's
    /// remaining pages instead of stopping the batch.
    /// </summary>
    private async IAsyncEnumerable<PageItem> ReadSafelyAsync(SourceFile file, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        int lastPage = 0;
        int pageCount = 0;
        await using IAsyncEnumerator<PageItem> reader = _pages.ReadPagesAsync(file, ct).GetAsyncEnumerator(ct);
        while (true)
        {
            PageItem? next = null;
            string? failure = null;
            try
            {
                if (await reader.MoveNextAsync().ConfigureAwait(false))
                {
                    next = reader.Current;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogReaderFailed(ex.GetType().Name);
                failure = $"read_error: {ex.GetType().Name}";
            }

            if (failure is not null)
            {
                // Pages already handed on are kept; the file is quarantined as a whole with the reason.
                yield return new PageFailure(file, lastPage == 0 ? 0 : lastPage + 1, pageCount, failure);
                if (lastPage > 0)
                {
                    for (int page = lastPage + 2; page <= pageCount; page++)
                    {
                        yield return new PageFailure(file, page, pageCount, failure);
                    }
                }

                yield break;
            }

            if (next is null)
            {
                yield break;
            }

            lastPage = next.PageNumber;
            pageCount = next.PageCount;
            yield return next;
        }
    }

    /// <summary>Stores each page as soon as it is recognised (and its preview), so a crash never costs finished OCR.</summary>
    private async Task SavePagesAsync(ChannelReader<PageItem> recognised, ChannelWriter<PageItem> saved, CancellationToken ct)
    {
        await foreach (PageItem item in recognised.ReadAllAsync(ct).ConfigureAwait(false))
        {
            if (item is PageText page)
            {
                if (page.Preview.Length > 0 && _archive is not null)
                {
                    using var content = new MemoryStream(page.Preview.ToArray(), writable: false);
                    await _archive.PutAsync(BlobKeys.Preview(page.Source.Sha256, page.PageNumber), content, ct).ConfigureAwait(false);
                }

                if (page.Image.Length > 0 && _archive is not null)
                {
                    // The full-resolution page (for the searchable PDF) goes to the blob store before the page row, and
                    // leaves memory here: documents are assembled from text and boxes only.
                    using var content = new MemoryStream(page.Image.ToArray(), writable: false);
                    await _archive.PutAsync(BlobKeys.PageImage(page.Source.Sha256, page.PageNumber), content, ct).ConfigureAwait(false);
                }

                await _store.SavePageAsync(page, ct).ConfigureAwait(false);
            }

            await saved.WriteAsync(item is PageText { Image.Length: > 0 } withImage ? withImage with { Image = default } : item, ct).ConfigureAwait(false);
        }
    }

    private async Task AssembleAsync(ChannelReader<PageItem> recognised, ChannelWriter<FileDocuments> documents, CancellationToken ct)
    {
        // Pages of one file arrive in any order from the OCR workers; a file is complete when all its pages are in.
        var open = new Dictionary<string, List<PageItem>>(StringComparer.Ordinal);
        await foreach (PageItem item in recognised.ReadAllAsync(ct).ConfigureAwait(false))
        {
            switch (item)
            {
                case PageText { Quality.Blank: true }:
                    Interlocked.Increment(ref _pagesBlank);
                    break;
                case PageText { Origin: TextOrigin.Ocr }:
                    Interlocked.Increment(ref _pagesRecognised);
                    break;
                case PageText:
                    Interlocked.Increment(ref _pagesFromTextLayer);
                    break;
                case PageFailure:
                    Interlocked.Increment(ref _pagesFailed);
                    break;
            }

            if (item is PageFailure { PageNumber: 0 } whole)
            {
                await documents.WriteAsync(new FileDocuments(whole.Source, whole.PageCount, [], whole.Reason), ct).ConfigureAwait(false);
                continue;
            }

            string key = item.Source.FullPath;
            if (!open.TryGetValue(key, out List<PageItem>? collected))
            {
                open[key] = collected = new List<PageItem>(item.PageCount);
            }

            collected.Add(item);
            if (collected.Count < item.PageCount)
            {
                continue;
            }

            open.Remove(key);
            collected.Sort((a, b) => a.PageNumber.CompareTo(b.PageNumber));
            PageFailure? failure = collected.OfType<PageFailure>().FirstOrDefault();
            var texts = collected.OfType<PageText>().ToList();
            await documents.WriteAsync(new FileDocuments(item.Source, item.PageCount, texts, failure is null ? null : $"page {failure.PageNumber}: {failure.Reason}"), ct)
                .ConfigureAwait(false);
        }

        // Anything still open lost pages on the way: never drop it silently.
        foreach (List<PageItem> partial in open.Values)
        {
            PageItem first = partial[0];
            await documents.WriteAsync(new FileDocuments(first.Source, first.PageCount, partial.OfType<PageText>().ToList(), $"incomplete: {partial.Count} of {first.PageCount} pages arrived"), ct)
                .ConfigureAwait(false);
        }
    }

    /// <summary>Separates each file into documents, reads their identifiers and matches them; accounts for every page.</summary>
    private async Task MatchAsync(ChannelReader<FileDocuments> files, ChannelWriter<FileOutcome> outcomes, CancellationToken ct)
    {
        DecisionModels models = await _models.WaitAsync(ct).ConfigureAwait(false);
        await foreach (FileDocuments file in files.ReadAllAsync(ct).ConfigureAwait(false))
        {
            await outcomes.WriteAsync(Decide(file, models), ct).ConfigureAwait(false);
        }
    }

    private FileOutcome Decide(FileDocuments file, DecisionModels models)
    {
        SourceFile source = file.Source;
        if (file.Failure is not null)
        {
            // A file with an unreadable page is quarantined whole: its pages are kept (stored) but filed nowhere.
            int pages = Math.Max(file.PageCount, file.Pages.Count);
            IndexedDocument? partial = file.Pages.Count == 0 ? null : new IndexedDocument(new Document(DocumentId.For(source.Sha256, 1), source, 1, Math.Max(1, pages), file.Pages), []);
            var quarantined = new DocumentOutcome(source, DocumentId.For(source.Sha256, 1), 1, Math.Max(1, pages), partial,
                new MatchDecision(DocumentStatus.Quarantined, [], file.Failure, "ingest", MatchRisk.None));
            var account = new SourceAccount(source, file.PageCount, 0, 0, 0, 0, file.PageCount, 1, "quarantined", file.Failure);
            return new FileOutcome(account, [quarantined]);
        }

        SeparationResult separation = Separate(file.Pages);
        var outcomes = new List<DocumentOutcome>(separation.Documents.Count);
        foreach (DocumentSpan span in separation.Documents)
        {
            var pages = file.Pages.Where(p => p.PageNumber >= span.FirstPage && p.PageNumber <= span.LastPage).ToList();
            var document = new Document(DocumentId.For(source.Sha256, span.FirstPage), source, span.FirstPage, span.LastPage, pages);
            // Unreadable pages (handwriting, very poor scans) are neither read for identifiers nor searched for a candidate's demographics.
            Document evidence = document.IdentifierEvidence();
            List<ExtractedIdentifier> identifiers = [.. span.CoverIdentifiers, .. _extractor.Extract(evidence)];
            DocumentMatch match = models.Matcher.Match(evidence, identifiers);
            MatchDecision decision = match.Decision;
            DocumentClassification? type = models.Classifier?.Classify(document);
            if (type is not null && _queueUncertainTypes && decision.Status == DocumentStatus.AutoFiled && models.Classifier!.IsUncertain(type))
            {
                // Filing is sure but typing is not: a clerk confirms both with the top candidate preselected.
                decision = decision with { Status = DocumentStatus.NeedsVerification, Reason = "document_type_uncertain; " + decision.Reason };
            }

            outcomes.Add(new DocumentOutcome(source, document.Id, span.FirstPage, span.LastPage, new IndexedDocument(document, match.Identifiers), decision) { Type = type });
        }

        var separators = separation.SeparatorPages.ToHashSet();
        Interlocked.Add(ref _pagesSeparator, separators.Count);
        int blank = file.Pages.Count(p => p.Quality?.Blank == true && !separators.Contains(p.PageNumber));
        int text = file.Pages.Count(p => p.Origin == TextOrigin.PdfTextLayer && !separators.Contains(p.PageNumber));
        int ocr = file.Pages.Count - blank - text - separators.Count;
        return new FileOutcome(new SourceAccount(source, file.PageCount, ocr, text, blank, separators.Count, 0, outcomes.Count, "complete", null), outcomes);
    }

    private SeparationResult Separate(IReadOnlyList<PageText> pages)
    {
        if (_separator is null || pages.Count <= 1)
        {
            return new SeparationResult([new DocumentSpan(1, Math.Max(1, pages.Count == 0 ? 1 : pages[^1].PageNumber), [])], []);
        }

        // Each page alone, for separation on a change of patient.
        var perPage = pages
            .Select(p => _extractor.Extract(new Document(DocumentId.For(p.Source.Sha256, p.PageNumber), p.Source, p.PageNumber, p.PageNumber, [p]).IdentifierEvidence()))
            .ToList();
        return _separator.Separate(pages, perPage);
    }

    private async Task PersistAsync(long batchId, ChannelReader<FileOutcome> outcomes, Dictionary<DocumentStatus, int> byStatus, CancellationToken ct)
    {
        await foreach (FileOutcome file in outcomes.ReadAllAsync(ct).ConfigureAwait(false))
        {
            if (_archive is not null && file.Account.Source.Length > 0)
            {
                await ArchiveAsync(file.Account.Source, ct).ConfigureAwait(false);
            }

            foreach (DocumentOutcome outcome in file.Documents)
            {
                await _store.SaveOutcomeAsync(batchId, outcome, ct).ConfigureAwait(false);
                lock (byStatus)
                {
                    byStatus[outcome.Decision.Status] = byStatus.GetValueOrDefault(outcome.Decision.Status) + 1;
                }

                Interlocked.Increment(ref _documentsDone);
                if (outcome.Decision.Status == DocumentStatus.Quarantined)
                {
                    LogQuarantined(outcome.Id.Value, outcome.Decision.Reason);
                }
                else
                {
                    // Ids, status, score and typed risk flags only: never a patient id, identifier or the matcher's free text.
                    LogDecided(
                        outcome.Id.Value,
                        outcome.Source.Sha256.Length >= 12 ? outcome.Source.Sha256[..12] : outcome.Source.Sha256,
                        outcome.FirstPage,
                        outcome.LastPage,
                        outcome.Decision.Status.ToWire(),
                        outcome.Decision.Best?.Score ?? 0,
                        outcome.Decision.Risks == MatchRisk.None ? "none" : outcome.Decision.Risks.ToWire());
                }
            }

            // Closed only after every document is saved: a crash before this point redoes the matching, never the OCR.
            await _store.CompleteSourceAsync(file.Account, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A source file's pages, gathered; <see cref="Failure"/> when the file (or one of its pages) could not be read.</summary>
    private sealed record FileDocuments(SourceFile Source, int PageCount, IReadOnlyList<PageText> Pages, string? Failure);

    /// <summary>A source file's documents with their decisions, and its page account.</summary>
    private sealed record FileOutcome(SourceAccount Account, IReadOnlyList<DocumentOutcome> Documents);

    /// <summary>Keeps a copy of every source file, addressed by its hash, in the blob store (provenance).</summary>
    private async Task ArchiveAsync(SourceFile source, CancellationToken ct)
    {
        string key = BlobKeys.Source(source.Sha256);
        if (await _archive!.ExistsAsync(key, ct).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            await using var stream = new FileStream(source.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await _archive.PutAsync(key, stream, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogArchiveFailed(source.Sha256[..12], ex.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Batch {BatchId} started with {Inputs} input(s)")]
    private partial void LogBatchStarted(long batchId, int inputs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Batch {BatchId} finished: {Documents} document(s) in {Milliseconds} ms (cancelled: {Cancelled})")]
    private partial void LogBatchFinished(long batchId, int documents, long milliseconds, bool cancelled);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Source {Sha} already complete; skipped")]
    private partial void LogSourceSkipped(string sha);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Document {DocumentId} quarantined: {Reason}")]
    private partial void LogQuarantined(string documentId, string reason);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Document {DocumentId} (source {Sha} pages {FirstPage}-{LastPage}): {Status}, score {Score:0.000}, risk {Risks}")]
    private partial void LogDecided(string documentId, string sha, int firstPage, int lastPage, string status, double score, string risks);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "A page reader failed unexpectedly ({Exception}); the file is quarantined")]
    private partial void LogReaderFailed(string exception);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Source {Sha} could not be archived ({Exception})")]
    private partial void LogArchiveFailed(string sha, string exception);
}
