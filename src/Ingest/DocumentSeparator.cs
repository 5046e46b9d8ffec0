using System.Text.RegularExpressions;
using Digitise.Domain;

namespace Digitise.Ingest;

/// <summary>
/// Splits a scanned batch file into documents the way a bureau preps it: separator sheets (patch code T, barcode
/// sheets), cover sheets whose barcode carries the patient's NHS or hospital number, runs of blank pages, and a change
/// of patient identifiers between pages. Separator and cover sheets belong to no document; blank backs stay in theirs.
/// </summary>
public sealed partial class DocumentSeparator(SeparationOptions options) : IDocumentSeparator
{
    public SeparationResult Separate(IReadOnlyList<PageText> pages, IReadOnlyList<IReadOnlyList<ExtractedIdentifier>> pageIdentifiers)
    {
        SeparationModes modes = options.Modes;
        var documents = new List<DocumentSpan>();
        var separators = new List<int>();
        int? start = null;
        int last = 0;
        string? currentPatientKey = null;
        IReadOnlyList<ExtractedIdentifier> cover = [];

        void Close()
        {
            if (start is int first)
            {
                documents.Add(new DocumentSpan(first, last, cover));
            }

            start = null;
            cover = [];
            currentPatientKey = null;
        }

        for (int i = 0; i < pages.Count; i++)
        {
            PageText page = pages[i];
            int number = page.PageNumber;
            SheetKind sheet = Classify(page, modes, out IReadOnlyList<ExtractedIdentifier> coverIds);
            if (sheet != SheetKind.Content)
            {
                Close();
                separators.Add(number);
                cover = coverIds;
                continue;
            }

            bool blank = page.Quality?.Blank == true;
            if (blank && modes.HasFlag(SeparationModes.Blank) && BlankRunLength(pages, i) >= options.BlankRun)
            {
                // Separator sheets come in whole runs of BlankRun pages (a sheet scanned duplex is two); blank pages left
                // over at the front of the run are the backs of the document's last sheet.
                int run = BlankRunLength(pages, i);
                int backs = start is null ? 0 : run % options.BlankRun;
                if (backs > 0)
                {
                    last = pages[i + backs - 1].PageNumber;
                }

                Close();
                for (int j = backs; j < run; j++)
                {
                    separators.Add(pages[i + j].PageNumber);
                }

                i += run - 1;
                continue;
            }

            if (modes.HasFlag(SeparationModes.Identifiers) && !blank && i < pageIdentifiers.Count)
            {
                string? key = PatientKey(pageIdentifiers[i]);
                if (key is not null)
                {
                    if (start is not null && currentPatientKey is not null && key != currentPatientKey)
                    {
                        Close();
                    }

                    currentPatientKey ??= key;
                }
            }

            if (start is null && blank && separators.Count > 0 && separators[^1] == number - 1)
            {
                // The blank back of a separator or cover sheet scanned duplex belongs to the sheet.
                separators.Add(number);
                continue;
            }

            start ??= number;
            last = number;
        }

        Close();
        if (documents.Count == 0 && separators.Count < pages.Count)
        {
            // Nothing but separators and blanks would leave pages in no document: keep them as one document.
            documents.Add(new DocumentSpan(pages[0].PageNumber, pages[^1].PageNumber, []));
            separators.Clear();
        }

        return new SeparationResult(documents, separators);
    }

    private enum SheetKind
    {
        Content,
        Separator,
        Cover,
    }

    private SheetKind Classify(PageText page, SeparationModes modes, out IReadOnlyList<ExtractedIdentifier> cover)
    {
        cover = [];
        foreach (Barcode code in page.Barcodes)
        {
            string value = code.Value.Trim();
            if (modes.HasFlag(SeparationModes.PatchT) && options.PatchTValues.Any(v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase)))
            {
                return SheetKind.Separator;
            }

            if (!modes.HasFlag(SeparationModes.Barcode))
            {
                continue;
            }

            if (options.SeparatorPrefixes.Any(p => value.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                return SheetKind.Separator;
            }

            if (CoverIdentifier(value, page.PageNumber) is { } id)
            {
                cover = [id];
                return SheetKind.Cover;
            }
        }

        return SheetKind.Content;
    }

    /// <summary>A cover-sheet barcode: "NHS:9434765919", a bare valid 10-digit NHS number, or "HOSP:RXH1234567" / "MRN:...".</summary>
    private static ExtractedIdentifier? CoverIdentifier(string value, int page)
    {
        Match match = CoverPattern().Match(value);
        if (!match.Success)
        {
            return null;
        }

        string label = match.Groups["label"].Value.ToUpperInvariant();
        string id = match.Groups["value"].Value.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        if (label is "" or "NHS" && id.Length == 10 && id.All(char.IsAsciiDigit))
        {
            return NhsNumber.HasValidCheckDigit(id) ? new ExtractedIdentifier(IdentifierKind.NhsNumber, id, value, true, 1.0, page, []) : null;
        }

        return label is "HOSP" or "MRN" or "HN" && id.Length >= 4
            ? new ExtractedIdentifier(IdentifierKind.HospitalNumber, id, value, true, 1.0, page, [])
            : null;
    }

    private static int BlankRunLength(IReadOnlyList<PageText> pages, int from)
    {
        int run = 0;
        while (from + run < pages.Count && pages[from + run].Quality?.Blank == true && pages[from + run].Barcodes.Count == 0)
        {
            run++;
        }

        return run;
    }

    /// <summary>The page's strongest patient key (a valid NHS/CHI number, else a hospital number), or null when it names none.</summary>
    private static string? PatientKey(IReadOnlyList<ExtractedIdentifier> identifiers)
    {
        ExtractedIdentifier? strong = identifiers.FirstOrDefault(i => i.Kind is IdentifierKind.NhsNumber or IdentifierKind.ChiNumber && i.IsValid)
            ?? identifiers.FirstOrDefault(i => i.Kind == IdentifierKind.HospitalNumber);
        return strong is null ? null : strong.Kind + ":" + strong.Value;
    }

    [GeneratedRegex(@"^(?:(?<label>NHS|HOSP|MRN|HN)\s*[:=#-]?\s*)?(?<value>[A-Z0-9][A-Z0-9 -]{3,20})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CoverPattern();
}
