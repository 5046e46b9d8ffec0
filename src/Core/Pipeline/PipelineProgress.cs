using Digitise.Domain;

namespace Digitise.Pipeline;

/// <summary>A snapshot of the run's counters, reported while it works.</summary>
public sealed record PipelineProgress(
    int FilesFound,
    int FilesSkipped,
    int PagesRead,
    int PagesRecognised,
    int DocumentsDone,
    TimeSpan Elapsed);

/// <summary>What a run did.</summary>
public sealed record PipelineSummary(
    long BatchId,
    int FilesFound,
    int FilesSkipped,
    int PagesRecognised,
    int PagesFromTextLayer,
    int PagesFailed,
    IReadOnlyDictionary<DocumentStatus, int> DocumentsByStatus,
    TimeSpan Elapsed,
    bool Cancelled)
{
    /// <summary>Pages whose OCR an earlier, interrupted run had already finished.</summary>
    public int PagesReused { get; init; }

    /// <summary>Blank pages: kept and counted, not OCRed.</summary>
    public int PagesBlank { get; init; }

    /// <summary>Separator and cover sheets: in no document.</summary>
    public int PagesSeparator { get; init; }

    /// <summary>Pages that went through OCR or a text layer in this run, per second.</summary>
    public double PagesPerSecond => Elapsed.TotalSeconds > 0 ? (PagesRecognised - PagesReused + PagesBlank + PagesFromTextLayer) / Elapsed.TotalSeconds : 0;
}

/// <summary>What the match stage decides with: the matcher over the patient index, and the document-type classifier (none: untyped).</summary>
public sealed record DecisionModels(IMatcher Matcher, IDocumentClassifier? Classifier);
