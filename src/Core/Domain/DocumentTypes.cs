namespace Digitise.Domain;

/// <summary>
/// One document type a site files under: its wire code (the manifest's <c>document_type</c>), what people read, the
/// SNOMED CT concept it maps to (a member of the UK Core record-composition-type refset 1127551000000109 where there
/// is one) and the single key the clerk presses to choose it on the verification screen.
/// </summary>
public sealed class DocumentTypeDefinition
{
    /// <summary>Wire code, e.g. <c>discharge_summary</c>: lower case letters, digits and underscores.</summary>
    public string Code { get; init; } = string.Empty;

    public string Display { get; init; } = string.Empty;

    /// <summary>SNOMED CT concept id (system <c>http://snomed.info/sct</c>).</summary>
    public string Snomed { get; init; } = string.Empty;

    /// <summary>The SNOMED CT preferred term.</summary>
    public string SnomedDisplay { get; init; } = string.Empty;

    /// <summary>One lower-case letter; must not be one of the clerk screen's own keys (n, r, s).</summary>
    public string Key { get; init; } = string.Empty;
}

/// <summary>Settings under <c>DocumentTypes</c>: the site's type list and how sure the classifier must be.</summary>
public sealed class DocumentTypeOptions
{
    /// <summary>The code every list must hold: what a document is when nothing better fits.</summary>
    public const string OtherCode = "other";

    /// <summary>Keys the clerk screen already uses (file, not on index, rescan, skip, search, zoom).</summary>
    private const string ReservedKeys = "nrs/+-=0123456789";

    /// <summary>The type list; empty means <see cref="Defaults"/>.</summary>
    public List<DocumentTypeDefinition> Types { get; init; } = [];

    /// <summary>Below this classifier probability (0-1) the clerk picks the type.</summary>
    public double ConfidenceThreshold { get; init; } = 0.60;

    /// <summary>
    /// When true, a document the matcher would file automatically but whose type is uncertain goes to the verification
    /// queue so a clerk types it. When false (the default) it is filed with the classifier's type and confidence, and
    /// a clerk picks the type only for documents that come to the queue anyway: the type never holds back a sure
    /// filing (on the real NHS layouts in the shared corpus, two documents that file as published would otherwise wait
    /// for a clerk only to be typed).
    /// </summary>
    public bool QueueUncertain { get; init; }

    /// <summary>
    /// The built-in list. SNOMED CT concepts: the first five are those named for the UK Core DocumentType value set
    /// (refset 1127551000000109); imaging report 4201000179104 is the code NHS England's national imaging repository
    /// specification uses; progress report, consent report and record artifact are concepts of the SNOMED CT record
    /// artifact hierarchy (check them against the site's refset release before go-live).
    /// </summary>
    public static IReadOnlyList<DocumentTypeDefinition> Defaults { get; } =
    [
        new() { Code = "clinical_letter", Display = "Clinical letter", Snomed = "823691000000103", SnomedDisplay = "Clinical letter", Key = "c" },
        new() { Code = "discharge_letter", Display = "Discharge letter", Snomed = "823701000000103", SnomedDisplay = "Discharge letter", Key = "d" },
        new() { Code = "referral_letter", Display = "Referral letter", Snomed = "25611000000107", SnomedDisplay = "Referral letter", Key = "f" },
        new() { Code = "laboratory_report", Display = "Laboratory report", Snomed = "4241000179101", SnomedDisplay = "Laboratory report", Key = "l" },
        new() { Code = "discharge_summary", Display = "Discharge summary", Snomed = "373942005", SnomedDisplay = "Discharge summary", Key = "u" },
        new() { Code = "clinical_note", Display = "Clinical note / continuation sheet", Snomed = "371532007", SnomedDisplay = "Progress report", Key = "t" },
        new() { Code = "imaging_report", Display = "Imaging report", Snomed = "4201000179104", SnomedDisplay = "Imaging report", Key = "i" },
        new() { Code = "consent_form", Display = "Consent form", Snomed = "371537001", SnomedDisplay = "Consent report", Key = "k" },
        new() { Code = OtherCode, Display = "Other", Snomed = "419891008", SnomedDisplay = "Record artifact", Key = "o" },
    ];

    /// <summary>The list in force: <see cref="Types"/>, or <see cref="Defaults"/> when none are configured.</summary>
    public IReadOnlyList<DocumentTypeDefinition> Effective => Types.Count > 0 ? Types : Defaults;

    public DocumentTypeDefinition? Find(string? code) =>
        code is null ? null : Effective.FirstOrDefault(t => string.Equals(t.Code, code, StringComparison.Ordinal));

    /// <summary>Fails with the name of the setting to change.</summary>
    public void Validate()
    {
        if (ConfidenceThreshold is < 0 or > 1 || double.IsNaN(ConfidenceThreshold))
        {
            throw new InvalidOperationException("DocumentTypes:ConfidenceThreshold must be between 0 and 1.");
        }

        var codes = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (DocumentTypeDefinition type in Effective)
        {
            if (type.Code.Length == 0 || !type.Code.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_') || !codes.Add(type.Code))
            {
                throw new InvalidOperationException($"DocumentTypes:Types: code '{type.Code}' must be unique, lower case letters, digits and '_'.");
            }

            if (type.Snomed.Length is < 6 or > 18 || !type.Snomed.All(char.IsAsciiDigit) || !SnomedId.HasValidCheckDigit(type.Snomed))
            {
                throw new InvalidOperationException($"DocumentTypes:Types: '{type.Code}' needs a SNOMED CT concept id (Snomed): 6-18 digits ending in its Verhoeff check digit.");
            }

            if (type.Key.Length != 1 || !char.IsAsciiLetterLower(type.Key[0]) || ReservedKeys.Contains(type.Key[0], StringComparison.Ordinal) || !keys.Add(type.Key))
            {
                throw new InvalidOperationException($"DocumentTypes:Types: '{type.Code}' needs its own one-letter Key (a-z, not n, r or s).");
            }
        }

        if (!codes.Contains(OtherCode))
        {
            throw new InvalidOperationException($"DocumentTypes:Types must include the code '{OtherCode}'.");
        }
    }
}

/// <summary>Who set a document's type.</summary>
public enum DocumentTypeSource
{
    Classifier = 0,

    /// <summary>Chosen or confirmed by a clerk: a training label.</summary>
    Clerk,
}

/// <summary>A document's type and how sure whoever set it was.</summary>
/// <param name="Code">A <see cref="DocumentTypeDefinition.Code"/>.</param>
/// <param name="Confidence">The classifier's probability (0-1); 1 for a clerk's choice.</param>
/// <param name="ModelVersion">The classifier model that decided (e.g. "dt-nb-0"), or "clerk".</param>
public sealed record DocumentClassification(string Code, double Confidence, DocumentTypeSource Source, string ModelVersion)
{
    public static string SourceToWire(DocumentTypeSource source) => source == DocumentTypeSource.Clerk ? "clerk" : "classifier";

    public static DocumentTypeSource ParseSource(string wire) => wire == "clerk" ? DocumentTypeSource.Clerk : DocumentTypeSource.Classifier;
}

/// <summary>Gives a document its type from its recognised text and layout (a stage library implements it).</summary>
public interface IDocumentClassifier
{
    /// <summary>True when <paramref name="classification"/> is too uncertain to stand without a clerk.</summary>
    bool IsUncertain(DocumentClassification classification);

    DocumentClassification Classify(Document document);
}

/// <summary>SNOMED CT identifiers: the last digit is a Verhoeff check digit over the rest.</summary>
public static class SnomedId
{
    private static readonly byte[,] Multiply =
    {
        { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 1, 2, 3, 4, 0, 6, 7, 8, 9, 5 }, { 2, 3, 4, 0, 1, 7, 8, 9, 5, 6 },
        { 3, 4, 0, 1, 2, 8, 9, 5, 6, 7 }, { 4, 0, 1, 2, 3, 9, 5, 6, 7, 8 }, { 5, 9, 8, 7, 6, 0, 4, 3, 2, 1 },
        { 6, 5, 9, 8, 7, 1, 0, 4, 3, 2 }, { 7, 6, 5, 9, 8, 2, 1, 0, 4, 3 }, { 8, 7, 6, 5, 9, 3, 2, 1, 0, 4 },
        { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 },
    };

    private static readonly byte[,] Permute =
    {
        { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 1, 5, 7, 6, 2, 8, 3, 0, 9, 4 }, { 5, 8, 0, 3, 7, 9, 6, 1, 4, 2 },
        { 8, 9, 1, 6, 0, 4, 3, 5, 2, 7 }, { 9, 4, 5, 3, 1, 2, 6, 8, 7, 0 }, { 4, 2, 8, 6, 5, 7, 3, 9, 0, 1 },
        { 2, 7, 9, 3, 8, 0, 6, 4, 1, 5 }, { 7, 0, 4, 6, 9, 1, 3, 2, 5, 8 },
    };

    /// <summary>Whether the Verhoeff check over all digits (check digit included) comes to zero.</summary>
    public static bool HasValidCheckDigit(string digits)
    {
        int check = 0;
        for (int i = 0; i < digits.Length; i++)
        {
            char c = digits[digits.Length - 1 - i];
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            check = Multiply[check, Permute[i % 8, c - '0']];
        }

        return digits.Length > 0 && check == 0;
    }
}
