using Digitise.Domain;
using Digitise.Storage;
using UglyToad.PdfPig;

namespace Digitise.Export.Tests;

/// <summary>
/// The batch certificate: its release statement is true only when every criterion holds, and each criterion failing
/// alone makes it false; the PDF and CSV carry the same statement and facts.
/// </summary>
public sealed class BatchCertificateTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 1, 0, 0, TimeSpan.Zero);

    private static readonly BatchReconciliation Balanced = new(7, "out:/scans/ward7", "complete", 2, 0, 0, 5, 4, 0, 1, 0, 0, 3,
        new Dictionary<DocumentStatus, int> { [DocumentStatus.AutoFiled] = 2, [DocumentStatus.Filed] = 1 });

    /// <summary>A batch that meets every criterion: balanced, nothing open, queue empty, its sample reviewed with no misfile in 80.</summary>
    private static BatchCertificateData Good() => new(
        Balanced,
        Now.AddDays(-1),
        Now.AddHours(-1),
        [new("ward7/a.tif", new string('a', 64), 3, "complete", null), new("ward7/b (1).tif", new string('b', 64), 2, "complete", null)],
        [new("c0-0001", "ward7/c.tif", 1, 2, "superseded", "unreadable TIFF", Resolved: true, "resolved: retried")],
        QueueOpen: 0,
        AutoFiled: 1000,
        QaShare: 0.08,
        QaSampled: 80,
        QaReviewed: 80,
        QaMisfiled: 0,
        QaUnreviewed: 0,
        [new("alice", 5, 1, 1, 7), new("bob", 2, 0, 0, 2)]);

    private static readonly ReleaseCriteria Criteria = new() { MaxMisfileUpper95 = 0.05 };

    [Fact]
    public void Evaluate_EveryCriterionHolds_MeetsRelease()
    {
        IReadOnlyList<CriterionResult> results = BatchCertificate.Evaluate(Good(), Criteria);
        Assert.Equal(5, results.Count);
        Assert.All(results, r => Assert.True(r.Met, r.Name + ": " + r.Detail));
    }

    public static TheoryData<string, string> Failures => new()
    {
        { "pages unaccounted", "every page accounted for" },
        { "file unread", "every page accounted for" },
        { "quarantine open", "no quarantine unresolved" },
        { "rescan open", "no quarantine unresolved" },
        { "queue", "verification queue empty" },
        { "sample unreviewed", "QA sampling done" },
        { "no review at all", "QA sampling done|misfile rate upper bound below threshold" },
        { "misfiles", "misfile rate upper bound below threshold" },
        { "sample too small", "misfile rate upper bound below threshold" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Evaluate_OneCriterionFails_DoesNotMeetReleaseAndSaysWhich(string change, string criterion)
    {
        BatchCertificateData good = Good();
        BatchCertificateData data = change switch
        {
            "pages unaccounted" => good with { Account = Balanced with { PagesOcr = 3 } },
            "file unread" => good with { Account = Balanced with { FilesUnopened = 1 } },
            "quarantine open" => good with { Exceptions = [.. good.Exceptions, new("d0-0003", "ward7/d.tif", 3, 3, "quarantined", "page unreadable", false, "open")] },
            "rescan open" => good with { Exceptions = [new("e0-0001", "ward7/e.tif", 1, 1, "rescan", "no identifiers", false, "open: sent back by alice")] },
            "queue" => good with { QueueOpen = 1 },
            "sample unreviewed" => good with { QaReviewed = 79, QaUnreviewed = 1 },
            "no review at all" => good with { QaSampled = 0, QaReviewed = 0 },
            "misfiles" => good with { QaMisfiled = 2 },
            "sample too small" => good with { QaSampled = 20, QaReviewed = 20 }, // 0 of 20 misfiled: upper bound 16%
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };

        IReadOnlyList<CriterionResult> results = BatchCertificate.Evaluate(data, Criteria);

        Assert.Equal(criterion.Split('|'), results.Where(r => !r.Met).Select(r => r.Name));
        Assert.Contains("section,item,value,detail\nrelease,meets_release_criteria,false,the batch does NOT meet: " + criterion.Split('|')[0], BatchCertificate.ToCsv(data, Criteria, Now), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_NothingAutoFiled_NeedsNoSample()
    {
        BatchCertificateData data = Good() with { AutoFiled = 0, QaSampled = 0, QaReviewed = 0 };
        Assert.All(BatchCertificate.Evaluate(data, Criteria), r => Assert.True(r.Met, r.Name));
    }

    [Fact]
    public void ToCsvAndPdf_CarryTheStatementSourcesAndClerks()
    {
        BatchCertificateData data = Good();
        string csv = BatchCertificate.ToCsv(data, Criteria, Now);
        Assert.StartsWith("section,item,value,detail\nrelease,meets_release_criteria,true,", csv, StringComparison.Ordinal);
        Assert.Contains($"source_file,ward7/a.tif,{new string('a', 64)},3 pages; complete\n", csv, StringComparison.Ordinal);
        Assert.Contains("verified_by,alice,7,\"filed 5, not on index 1, rescan 1\"\n", csv, StringComparison.Ordinal);
        Assert.Contains("quarantine,c0-0001,resolved,", csv, StringComparison.Ordinal);
        Assert.Contains("qa,misfile_rate_95ci,0.0000-0.0458,Wilson score interval\n", csv, StringComparison.Ordinal);

        byte[] pdf = BatchCertificate.ToPdf(data, Criteria, Now);
        using PdfDocument document = PdfDocument.Open(pdf);
        string text = string.Join("\n", document.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
        Assert.Contains("meets_release_criteria true", text, StringComparison.Ordinal);
        Assert.Contains(new string('b', 64), text, StringComparison.Ordinal);
        Assert.Contains("ward7/b (1).tif", text, StringComparison.Ordinal);
        Assert.Contains("alice 7", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToCsv_FormulaLikeNamesAndPaths_AreNeutralised()
    {
        BatchCertificateData data = Good() with
        {
            Sources = [new CertificateSource("=HYPERLINK(\"http://x\")", new string('a', 64), 1, "complete", null), new CertificateSource("@SUM(A1).tif", new string('b', 64), 1, "complete", null)],
        };
        string csv = BatchCertificate.ToCsv(data, Criteria, Now);
        Assert.Contains("source_file,\"'=HYPERLINK(\"\"http://x\"\")\",", csv, StringComparison.Ordinal);
        Assert.Contains("source_file,'@SUM(A1).tif,", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",=", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",@", csv, StringComparison.Ordinal);
    }

    [Fact]
    public void ToPdf_ManySources_RunsOntoNumberedPages()
    {
        BatchCertificateData data = Good() with
        {
            Sources = [.. Enumerable.Range(0, 150).Select(i => new CertificateSource($"box{i:000}.tif", i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture), 1, "complete", null))],
        };
        using PdfDocument document = PdfDocument.Open(BatchCertificate.ToPdf(data, Criteria, Now));
        Assert.True(document.NumberOfPages >= 3, document.NumberOfPages.ToString(System.Globalization.CultureInfo.InvariantCulture));
        string all = string.Join(" ", document.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
        Assert.All(Enumerable.Range(0, 150), i => Assert.Contains($"box{i:000}.tif", all, StringComparison.Ordinal));
    }
}
