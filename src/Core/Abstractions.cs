using System.Threading.Channels;
using Digitise.Domain;

namespace Digitise;

/// <summary>Turns a source file into its pages (Ingest). Whole-file problems come back as a <see cref="PageFailure"/>.</summary>
public interface IPageSource
{
    /// <summary>Yields every page of <paramref name="file"/>, or failures; never throws for bad input.</summary>
    IAsyncEnumerable<PageItem> ReadPagesAsync(SourceFile file, CancellationToken cancellationToken);
}

/// <summary>
/// The OCR stage, and the work-distribution seam: the default runs one engine per core in this process;
/// another implementation may hand pages to worker processes. Reads <see cref="PageItem"/>s, writes
/// <see cref="PageText"/> or <see cref="PageFailure"/> for every one, in any order, and completes the writer on the way out.
/// </summary>
public interface IOcrStage
{
    Task RunAsync(ChannelReader<PageItem> input, ChannelWriter<PageItem> output, CancellationToken cancellationToken);
}

/// <summary>Reads identifiers (NHS number, DOB, names, ...) from a document's pages.</summary>
public interface IIdentifierExtractor
{
    IReadOnlyList<ExtractedIdentifier> Extract(Document document);
}

/// <summary>Candidate lookups on the master patient index. Keys are normalised as in <see cref="Patient"/>.</summary>
public interface IPatientIndex
{
    int Count { get; }

    IReadOnlyList<Patient> FindByNhsNumber(string nhsNumber);

    IReadOnlyList<Patient> FindByHospitalNumber(string hospitalNumber);

    IReadOnlyList<Patient> FindByDateOfBirth(DateOnly dateOfBirth);

    IReadOnlyList<Patient> FindByFamilyName(string familyName);

    Patient? Get(string patientId);
}

/// <summary>Decides, per document, where it is filed.</summary>
public interface IMatcher
{
    MatchDecision Match(IReadOnlyList<ExtractedIdentifier> identifiers);

    /// <summary>
    /// Decides with the document's pages at hand, so a matcher may look on them for what the extractor's rules missed
    /// (identifiers on the index, each candidate's own demographics). The identifiers returned are what was read plus what
    /// was found, each with its <see cref="ExtractedIdentifier.Source"/>.
    /// </summary>
    DocumentMatch Match(Document document, IReadOnlyList<ExtractedIdentifier> identifiers) => new(Match(identifiers), identifiers);
}

/// <summary>A file found under the run's inputs, or a path that could not be read (with its reason).</summary>
public sealed record DiscoveredSource(SourceFile File, string? Failure);

/// <summary>Finds the source files under the operator's inputs (Ingest).</summary>
public interface ISourceDiscovery
{
    IAsyncEnumerable<DiscoveredSource> DiscoverAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken);
}
