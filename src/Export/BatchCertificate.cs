using System.Globalization;
using System.Text;
using Digitise.Domain;
using Digitise.Storage;

namespace Digitise.Export;

/// <summary>One source file of the batch as captured: its SHA-256 (taken at ingest) and page count.</summary>
public sealed record CertificateSource(string Path, string Sha256, int? PageCount, string Status, string? QuarantineReason);

/// <summary>
/// A document that was quarantined or sent back for rescanning, and what became of it: <see cref="Resolved"/> when a
/// retry replaced it (superseded), otherwise still open.
/// </summary>
public sealed record CertificateException(string DocumentId, string SourcePath, int FirstPage, int LastPage, string Status, string Reason, bool Resolved, string Resolution);

/// <summary>A person's decisions on this batch's documents.</summary>
public sealed record ClerkDecisions(string UserName, int Filed, int NotOnIndex, int Rescan, int Total);

/// <summary>Everything a batch certificate states, read from the store at one moment.</summary>
/// <param name="AutoFiled">Documents filed without a clerk (the population QA samples).</param>
/// <param name="QaSampled">Auto-filed documents in the QA sample (<c>Verify:QaShare</c>).</param>
/// <param name="QaReviewed">Documents of the batch a QA reviewer judged correct or misfiled.</param>
/// <param name="QaUnreviewed">Sampled documents no reviewer has judged yet.</param>
public sealed record BatchCertificateData(
    BatchReconciliation Account,
    DateTimeOffset CreatedUtc,
    DateTimeOffset UpdatedUtc,
    IReadOnlyList<CertificateSource> Sources,
    IReadOnlyList<CertificateException> Exceptions,
    int QueueOpen,
    int AutoFiled,
    double QaShare,
    int QaSampled,
    int QaReviewed,
    int QaMisfiled,
    int QaUnreviewed,
    IReadOnlyList<ClerkDecisions> Clerks);

/// <summary>Settings under <c>Certificate</c>: what a batch must show before its paper may be released for destruction.</summary>
public sealed class ReleaseCriteria
{
    /// <summary>The Wilson 95% upper bound of the batch's QA misfile rate must be below this (default 5%).</summary>
    public double MaxMisfileUpper95 { get; init; } = 0.05;

    public void Validate()
    {
        if (MaxMisfileUpper95 is <= 0 or > 1 || double.IsNaN(MaxMisfileUpper95))
        {
            throw new InvalidOperationException("Certificate:MaxMisfileUpper95 must be above 0 and at most 1.");
        }
    }
}

/// <summary>One release criterion, whether the batch meets it, and the figures behind that.</summary>
public sealed record CriterionResult(string Name, bool Met, string Detail);

/// <summary>
/// The batch certificate a records manager signs before the paper is destroyed: every source file with the SHA-256
/// taken at capture, the page reconciliation, quarantines and their resolution, the QA sample and its misfile-rate
/// interval, who verified what, and whether the batch meets the release criteria (<see cref="Evaluate"/>).
/// </summary>
public static class BatchCertificate
{
    /// <summary>The release criteria in order; the batch meets them only when every one is met.</summary>
    public static IReadOnlyList<CriterionResult> Evaluate(BatchCertificateData data, ReleaseCriteria criteria)
    {
        criteria.Validate();
        BatchReconciliation a = data.Account;
        var c = CultureInfo.InvariantCulture;
        int open = data.Exceptions.Count(e => !e.Resolved);
        (_, double upper) = Statistics.Wilson(data.QaMisfiled, data.QaReviewed);
        return
        [
            new("every page accounted for", a.Balances && a.FilesUnopened == 0,
                string.Create(c, $"{a.PagesAccounted} of {a.PagesIn} pages accounted for; {a.FilesUnopened} files not yet read")),
            new("no quarantine unresolved", open == 0,
                string.Create(c, $"{open} quarantined or rescan documents open, {data.Exceptions.Count - open} resolved")),
            new("verification queue empty", data.QueueOpen == 0, string.Create(c, $"{data.QueueOpen} documents waiting for a clerk")),
            new("QA sampling done", data.QaUnreviewed == 0 && (data.AutoFiled == 0 || data.QaReviewed > 0),
                string.Create(c, $"{data.QaSampled} of {data.AutoFiled} auto-filed documents sampled at {data.QaShare:P1}; {data.QaReviewed} reviewed, {data.QaUnreviewed} waiting")),
            new("misfile rate upper bound below threshold", data.AutoFiled == 0 || (data.QaReviewed > 0 && upper < criteria.MaxMisfileUpper95),
                data.AutoFiled == 0
                    ? "nothing was filed automatically"
                    : string.Create(c, $"{data.QaMisfiled} misfiled of {data.QaReviewed} reviewed; Wilson 95% upper bound {upper:P1} against {criteria.MaxMisfileUpper95:P1}")),
        ];
    }

    /// <summary>The certificate as CSV rows <c>section,item,value,detail</c>, one section after another; a cell that a spreadsheet would
    /// read as a formula (<c>=</c>, <c>+</c>, <c>-</c>, <c>@</c> first) starts with an apostrophe.</summary>
    public static string ToCsv(BatchCertificateData data, ReleaseCriteria criteria, DateTimeOffset generatedUtc)
    {
        var csv = new StringBuilder("section,item,value,detail\n");
        foreach ((string section, string item, string value, string detail) in Rows(data, criteria, generatedUtc))
        {
            // Every cell is text a spreadsheet may open (batch names, paths, reasons): neutralised against formulas.
            csv.AppendJoin(',', new[] { section, item, value, detail }.Select(Digitise.Text.Csv.TextField)).Append('\n');
        }

        return csv.ToString();
    }

    /// <summary>The certificate as a printable PDF (A4, one line per fact, the release statement first).</summary>
    public static byte[] ToPdf(BatchCertificateData data, ReleaseCriteria criteria, DateTimeOffset generatedUtc)
    {
        var lines = new List<(string Text, bool Heading)>();
        string? section = null;
        foreach ((string s, string item, string value, string detail) in Rows(data, criteria, generatedUtc))
        {
            if (s != section)
            {
                section = s;
                lines.Add((string.Empty, false));
                lines.Add((Heading(s), true));
            }

            lines.Add((string.Join("  ", new[] { item, value, detail }.Where(t => t.Length > 0)), false));
        }

        return TextPdf.Write("Batch certificate: " + data.Account.Name, lines, generatedUtc);
    }

    private static IEnumerable<(string Section, string Item, string Value, string Detail)> Rows(BatchCertificateData data, ReleaseCriteria criteria, DateTimeOffset generatedUtc)
    {
        var c = CultureInfo.InvariantCulture;
        IReadOnlyList<CriterionResult> results = Evaluate(data, criteria);
        bool meets = results.All(r => r.Met);
        BatchReconciliation a = data.Account;
        yield return ("release", "meets_release_criteria", meets ? "true" : "false",
            meets ? "the batch meets every release criterion below" : "the batch does NOT meet: " + string.Join("; ", results.Where(r => !r.Met).Select(r => r.Name)));
        foreach (CriterionResult result in results)
        {
            yield return ("criterion", result.Name, result.Met ? "met" : "not met", result.Detail);
        }

        yield return ("batch", "id", a.BatchId.ToString(c), a.Name);
        yield return ("batch", "state", a.State, string.Empty);
        yield return ("batch", "created_utc", Instant(data.CreatedUtc), string.Empty);
        yield return ("batch", "updated_utc", Instant(data.UpdatedUtc), string.Empty);
        yield return ("batch", "certificate_generated_utc", Instant(generatedUtc), string.Empty);

        yield return ("reconciliation", "files", a.Files.ToString(c), string.Create(c, $"{a.FilesQuarantined} quarantined whole, {a.FilesUnopened} not yet read"));
        yield return ("reconciliation", "pages_in", a.PagesIn.ToString(c), string.Empty);
        yield return ("reconciliation", "pages_accounted", a.PagesAccounted.ToString(c),
            string.Create(c, $"OCR {a.PagesOcr}, text layer {a.PagesTextLayer}, blank {a.PagesBlank}, separator {a.PagesSeparator}, quarantined {a.PagesQuarantined}"));
        yield return ("reconciliation", "balances", a.Balances ? "yes" : "no", string.Empty);
        foreach ((DocumentStatus status, int count) in a.DocumentsByStatus.OrderBy(kv => kv.Key))
        {
            yield return ("reconciliation", "documents_" + status.ToWire(), count.ToString(c), string.Empty);
        }

        foreach (CertificateSource source in data.Sources)
        {
            yield return ("source_file", source.Path, source.Sha256,
                string.Create(c, $"{source.PageCount?.ToString(c) ?? "?"} pages; {source.Status}{(source.QuarantineReason is { Length: > 0 } r ? ": " + r : string.Empty)}"));
        }

        foreach (CertificateException exception in data.Exceptions)
        {
            yield return ("quarantine", exception.DocumentId, exception.Resolved ? "resolved" : "open",
                string.Create(c, $"{exception.SourcePath} pages {exception.FirstPage}-{exception.LastPage}; {exception.Status}: {exception.Reason}; {exception.Resolution}"));
        }

        (double lower, double upper) = Statistics.Wilson(data.QaMisfiled, data.QaReviewed);
        yield return ("qa", "auto_filed", data.AutoFiled.ToString(c), string.Empty);
        yield return ("qa", "sampled", data.QaSampled.ToString(c), string.Create(c, $"share {data.QaShare:P1}"));
        yield return ("qa", "reviewed", data.QaReviewed.ToString(c), string.Create(c, $"{data.QaUnreviewed} sampled documents not yet reviewed"));
        yield return ("qa", "misfiled", data.QaMisfiled.ToString(c), string.Empty);
        yield return ("qa", "misfile_rate_95ci", string.Create(c, $"{lower:0.0000}-{upper:0.0000}"), "Wilson score interval");

        foreach (ClerkDecisions clerk in data.Clerks)
        {
            yield return ("verified_by", clerk.UserName, clerk.Total.ToString(c), string.Create(c, $"filed {clerk.Filed}, not on index {clerk.NotOnIndex}, rescan {clerk.Rescan}"));
        }

        yield return ("queue", "waiting", data.QueueOpen.ToString(c), string.Empty);
    }

    private static string Heading(string section) => section switch
    {
        "release" => "RELEASE STATEMENT",
        "criterion" => "Release criteria",
        "batch" => "Batch",
        "reconciliation" => "Reconciliation",
        "source_file" => "Source files (SHA-256 taken at capture)",
        "quarantine" => "Quarantines and rescans",
        "qa" => "QA sampling",
        "verified_by" => "Verified by (decisions per person)",
        _ => "Verification queue",
    };

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
