using System.Globalization;
using Digitise.Domain;
using Digitise.Storage;
using Digitise.Verify.Ui.Api;

namespace Digitise.Verify.Ui;

/// <summary>
/// The verification rules the screen and the decision endpoint share: which documents are high-risk (and so need a
/// second, independent confirmation), and which characters of an identifier the OCR was unsure of.
/// </summary>
public sealed class VerificationPolicy
{
    private readonly VerifyOptions _options;

    public VerificationPolicy(VerifyOptions options) => _options = options;

    /// <summary>High-risk: the matcher raised a risk flag (a corrected NHS number, a rival within the margin, several patients
    /// named, a contradiction, twins, ...). The flags are typed data stored with the document; the reason text is for people
    /// and is never read here.</summary>
    public static bool IsHighRisk(VerificationDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return document.Risks != MatchRisk.None;
    }

    public bool RequiresSecondConfirmation(VerificationDocument document, WorkKind kind) =>
        _options.SecondConfirmation && kind == WorkKind.Verify && IsHighRisk(document);

    /// <summary>
    /// Why this decision needs a second, independent confirmation (empty when one person's word is enough): the document is
    /// high-risk; it re-files an auto-filed document (a QA sample un-filed or moved to another patient); or it files to a
    /// patient the matcher did not propose (a search result).
    /// </summary>
    public IReadOnlyList<string> SecondConfirmationReasons(VerificationDocument document, WorkKind kind, ClerkAction action, string? patientId)
    {
        ArgumentNullException.ThrowIfNull(document);
        var reasons = new List<string>();
        if (!_options.SecondConfirmation || action is ClerkAction.Skip or ClerkAction.Rescan)
        {
            return reasons;
        }

        if (RequiresSecondConfirmation(document, kind))
        {
            reasons.Add("high-risk");
        }

        bool keepsAutoFiledPatient = kind == WorkKind.QaSample && action == ClerkAction.File && string.Equals(patientId, document.PatientId, StringComparison.Ordinal);
        if (kind == WorkKind.QaSample && !keepsAutoFiledPatient)
        {
            reasons.Add("re-file");
        }

        if (action == ClerkAction.File && !keepsAutoFiledPatient && !document.Candidates.Any(c => string.Equals(c.PatientId, patientId, StringComparison.Ordinal)))
        {
            reasons.Add("non-candidate");
        }

        return reasons;
    }

    public DocumentDto ToDto(VerificationDocument document, Lease lease, long queueSize)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(lease);
        var pagesByNumber = document.Pages.ToDictionary(p => p.PageNumber);
        var pages = document.Pages.Select(p => new PageDto(
            p.PageNumber,
            p.WidthPx,
            p.HeightPx,
            Math.Round(p.MeanConfidence, 1),
            string.Create(CultureInfo.InvariantCulture, $"/api/documents/{document.DocumentId}/pages/{p.PageNumber}/image"),
            p.Words.Where(w => w.Confidence < _options.LowConfidence && w.Text.Any(char.IsLetterOrDigit)).Select(w => Box(w.Box)).ToList(),
            p.QaFlags)).ToList();

        var identifiers = document.Identifiers
            .Where(i => i.Kind != "document_date" || document.Identifiers.Count < 12)
            .Select(i => new IdentifierDto(
                i.Kind, Label(i.Kind), i.Value, i.Raw, i.Valid, Math.Round(i.Confidence, 3), i.Page, i.Boxes.Select(Box).ToList(),
                UncertainCharacters(i, pagesByNumber.GetValueOrDefault(i.Page)), IsCorrected(i)))
            .ToList();

        var candidates = document.Candidates.Select(c => new CandidateDto(
            c.Rank,
            c.PatientId,
            c.Score,
            c.Patient is null ? null : ToDto(c.Patient),
            c.Fields.Select(f => new FieldDto(f.Field, Label(f.Field), f.Level, f.Weight, f.Source)).ToList())).ToList();

        bool highRisk = IsHighRisk(document);
        return new DocumentDto(
            document.DocumentId,
            lease.Kind == WorkKind.QaSample ? "qa_sample" : "verify",
            document.Status.ToWire(),
            document.Reason,
            document.ModelVersion,
            document.MatchScore,
            highRisk,
            [.. document.Risks.Describe().Select(r => new RiskDto(r.Wire, r.Label))],
            RequiresSecondConfirmation(document, lease.Kind),
            lease.AwaitingSecondConfirmation,
            lease.Kind == WorkKind.QaSample ? document.PatientId : null,
            document.DecidedUtc,
            lease.ExpiresUtc,
            queueSize,
            pages,
            identifiers,
            candidates);
    }

    public static PatientDto ToDto(Patient patient)
    {
        ArgumentNullException.ThrowIfNull(patient);
        return new PatientDto(
            patient.PatientId,
            patient.NhsNumber,
            patient.HospitalNumber,
            patient.FamilyName,
            patient.GivenName,
            patient.DateOfBirth?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            patient.Sex,
            patient.Postcode);
    }

    public static string Label(string field) => field switch
    {
        "nhs_number" => "NHS number",
        "chi_number" => "CHI number",
        "hospital_number" => "Hospital number",
        "date_of_birth" => "Date of birth",
        "family_name" => "Family name",
        "given_name" => "Given name",
        "postcode" => "Postcode",
        "document_date" => "Document date",
        "sex" => "Sex",
        "address" => "Address",
        _ => field.Replace('_', ' '),
    };

    /// <summary>The value differs from the text as read beyond spacing and punctuation (only meaningful for numbers and codes).</summary>
    public static bool IsCorrected(StoredIdentifier identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        if (identifier.Kind is not ("nhs_number" or "chi_number" or "hospital_number" or "postcode"))
        {
            return false;
        }

        string raw = Compact(identifier.Raw);
        string value = Compact(identifier.Value);
        return !string.Equals(raw, value, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Indexes into the value of characters to mark: for numbers and codes, each character that differs from what was
    /// read (a correction) or that came from a word the OCR was unsure of; for names and dates (reformatted, so characters
    /// do not line up), every character when any of its words was uncertain.
    /// </summary>
    public IReadOnlyList<int> UncertainCharacters(StoredIdentifier identifier, StoredPage? page)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        List<Word> words = page is null
            ? []
            : page.Words.Where(w => identifier.Boxes.Any(b => Overlaps(b, w.Box))).OrderBy(w => w.Box.Top / 20).ThenBy(w => w.Box.Left).ToList();
        string value = identifier.Value;
        var marks = new SortedSet<int>();

        if (identifier.Kind is "nhs_number" or "chi_number" or "hospital_number" or "postcode")
        {
            // Positions of the value's significant characters (spaces in postcodes are not significant).
            var positions = new List<int>();
            for (int i = 0; i < value.Length; i++)
            {
                if (char.IsLetterOrDigit(value[i]))
                {
                    positions.Add(i);
                }
            }

            string raw = Compact(identifier.Raw);
            bool aligned = raw.Length == positions.Count;
            if (aligned)
            {
                for (int i = 0; i < raw.Length; i++)
                {
                    if (char.ToUpperInvariant(raw[i]) != char.ToUpperInvariant(value[positions[i]]))
                    {
                        marks.Add(positions[i]);
                    }
                }
            }

            // Map each word's characters onto the compact reading, when the words spell it.
            string spelled = string.Concat(words.Select(w => Compact(w.Text)));
            int index = spelled.IndexOf(raw, StringComparison.OrdinalIgnoreCase);
            if (aligned && index >= 0 && raw.Length > 0)
            {
                int offset = 0;
                foreach (Word word in words)
                {
                    int length = Compact(word.Text).Length;
                    if (word.Confidence < _options.LowConfidence)
                    {
                        for (int k = Math.Max(offset, index); k < Math.Min(offset + length, index + raw.Length); k++)
                        {
                            marks.Add(positions[k - index]);
                        }
                    }

                    offset += length;
                }
            }
            else if (words.Any(w => w.Confidence < _options.LowConfidence) || (words.Count == 0 && identifier.Confidence * 100 < _options.LowConfidence))
            {
                marks.UnionWith(positions);
            }

            return marks.ToList();
        }

        if (words.Any(w => w.Confidence < _options.LowConfidence) || (words.Count == 0 && identifier.Confidence * 100 < _options.LowConfidence))
        {
            for (int i = 0; i < value.Length; i++)
            {
                if (char.IsLetterOrDigit(value[i]))
                {
                    marks.Add(i);
                }
            }
        }

        return marks.ToList();
    }

    private static string Compact(string text) => new(text.Where(char.IsLetterOrDigit).ToArray());

    private static bool Overlaps(PixelBox a, PixelBox b) =>
        a.Left < b.Right && b.Left < a.Right && a.Top < b.Bottom && b.Top < a.Bottom;

    private static int[] Box(PixelBox box) => [box.Left, box.Top, box.Width, box.Height];
}
