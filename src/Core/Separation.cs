using Digitise.Domain;

namespace Digitise;

/// <summary>How a multi-document source file is split into documents. Flags combine.</summary>
[Flags]
public enum SeparationModes
{
    /// <summary>One input file is one document.</summary>
    None = 0,

    /// <summary>Patch code T separator sheets (the sheet is recognised by its barcode, e.g. Code 39 "PATCHT").</summary>
    PatchT = 1,

    /// <summary>Barcode cover/separator sheets; a cover sheet carrying an NHS or hospital number identifies the document it starts.</summary>
    Barcode = 2,

    /// <summary>Runs of blank pages (see <see cref="SeparationOptions.BlankRun"/>) separate documents; shorter runs are blank backs, kept in the document.</summary>
    Blank = 4,

    /// <summary>A page naming a different patient (a different valid NHS/CHI or hospital number) starts a new document.</summary>
    Identifiers = 8,
}

/// <summary>Settings under <c>Separation</c> in configuration (the CLI's --separate overrides <see cref="Modes"/>).</summary>
public sealed class SeparationOptions
{
    public SeparationModes Modes { get; init; } = SeparationModes.None;

    /// <summary>Consecutive blank pages that make a separator (2 = a blank sheet scanned duplex).</summary>
    public int BlankRun { get; init; } = 2;

    /// <summary>Barcode values (case-insensitive, whole value) that mark a patch code T sheet.</summary>
    public IReadOnlyList<string> PatchTValues { get; init; } = ["PATCHT", "PATCH T"];

    /// <summary>Barcode values starting with one of these prefixes are plain separator sheets.</summary>
    public IReadOnlyList<string> SeparatorPrefixes { get; init; } = ["SEP", "SEPARATOR"];

    /// <summary>Parses "patch,barcode,blank,identifiers" (or "none"/"all") into modes, naming the bad word on error.</summary>
    /// <exception cref="Hosting.ConfigurationException">A setting is out of range; the message names it.</exception>
    public void Validate() =>
        Hosting.ConfigurationException.ThrowIfNot(BlankRun >= 1, "Separation:BlankRun", BlankRun, "must be at least 1");

    public static SeparationModes ParseModes(string text)
    {
        SeparationModes modes = SeparationModes.None;
        foreach (string word in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            modes |= word.ToLowerInvariant() switch
            {
                "none" => SeparationModes.None,
                "patch" or "patcht" or "patch-t" => SeparationModes.PatchT,
                "barcode" or "barcodes" => SeparationModes.Barcode,
                "blank" => SeparationModes.Blank,
                "identifiers" or "ids" => SeparationModes.Identifiers,
                "all" => SeparationModes.PatchT | SeparationModes.Barcode | SeparationModes.Blank | SeparationModes.Identifiers,
                _ => throw new FormatException($"Unknown separation mode '{word}': use none, patch, barcode, blank, identifiers or all."),
            };
        }

        return modes;
    }
}

/// <summary>One document found inside a source file.</summary>
/// <param name="CoverIdentifiers">Identifiers read from the cover sheet that started the document (e.g. an NHS number barcode).</param>
public sealed record DocumentSpan(int FirstPage, int LastPage, IReadOnlyList<ExtractedIdentifier> CoverIdentifiers);

/// <summary>The documents of one source file, and the pages that were separator sheets (in no document).</summary>
public sealed record SeparationResult(IReadOnlyList<DocumentSpan> Documents, IReadOnlyList<int> SeparatorPages);

/// <summary>Splits one source file's pages into documents (Ingest).</summary>
public interface IDocumentSeparator
{
    /// <param name="pages">Every page of the file, in page order, with QA and barcodes.</param>
    /// <param name="pageIdentifiers">Identifiers read from each page alone (same order); used for <see cref="SeparationModes.Identifiers"/>.</param>
    SeparationResult Separate(IReadOnlyList<PageText> pages, IReadOnlyList<IReadOnlyList<ExtractedIdentifier>> pageIdentifiers);
}
