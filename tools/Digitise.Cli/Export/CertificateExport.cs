using System.Globalization;
using Digitise.Data.Sqlite;
using Digitise.Export;
using Digitise.Hosting;
using Digitise.Storage;
using Microsoft.Extensions.Configuration;

namespace Digitise.Cli.Export;

/// <summary>
/// <c>digitise export BATCH --out DIR --certificate</c>: <c>DIR/certificate.pdf</c> and <c>DIR/certificate.csv</c>,
/// the evidence a records manager signs before the batch's paper is destroyed, with the release statement
/// (<c>Certificate:MaxMisfileUpper95</c>; the QA share is the verification app's <c>Verify:QaShare</c>).
/// </summary>
internal static class CertificateExport
{
    public static async Task<bool> WriteAsync(
        IDigitiseStore store, DigitiseConfiguration configuration, BatchReconciliation account, string outDirectory, CancellationToken cancellationToken)
    {
        if (store is not SqliteDigitiseStore sqlite)
        {
            throw new InvalidOperationException("--certificate reads the SQLite store only for now; export from a SQLite database.");
        }

        ReleaseCriteria criteria = configuration.Bind<ReleaseCriteria>("Certificate", c => c.Validate());
        double qaShare = configuration.Configuration.GetValue("Verify:QaShare", 0.05);

        CertificateFacts facts = await new SqliteExportQueries(sqlite.DatabasePath).ReadCertificateFactsAsync(account.BatchId, qaShare, cancellationToken).ConfigureAwait(false);
        var data = new BatchCertificateData(
            account,
            facts.CreatedUtc,
            facts.UpdatedUtc,
            [.. facts.Sources.Select(s => new CertificateSource(s.Path, s.Sha256, s.PageCount, s.Status, s.QuarantineReason))],
            [.. facts.Exceptions.Select(e => new CertificateException(e.DocumentId, e.SourcePath, e.FirstPage, e.LastPage, e.Status, e.Reason,
                Resolved: e.Status == "superseded",
                e.Status switch
                {
                    "superseded" => "resolved: the file was retried and its pages decided afresh",
                    "rescan" => $"open: sent back for rescanning{(e.RescanBy is null ? string.Empty : " by " + e.RescanBy)}",
                    _ => "open: awaiting an operator's retry",
                }))],
            facts.QueueOpen,
            facts.AutoFiled,
            qaShare,
            facts.QaSampled,
            facts.QaReviewed,
            facts.QaMisfiled,
            facts.QaUnreviewed,
            [.. facts.Clerks.Select(c => new ClerkDecisions(c.UserName, c.Filed, c.NotOnIndex, c.Rescan, c.Total))]);

        DateTimeOffset now = TimeProvider.System.GetUtcNow();
        string pdf = Path.Combine(outDirectory, "certificate.pdf");
        string csv = Path.Combine(outDirectory, "certificate.csv");
        await File.WriteAllBytesAsync(pdf + ".tmp", BatchCertificate.ToPdf(data, criteria, now), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(csv + ".tmp", BatchCertificate.ToCsv(data, criteria, now), cancellationToken).ConfigureAwait(false);
        File.Move(pdf + ".tmp", pdf, overwrite: true);
        File.Move(csv + ".tmp", csv, overwrite: true);

        IReadOnlyList<CriterionResult> results = BatchCertificate.Evaluate(data, criteria);
        bool meets = results.All(r => r.Met);
        Console.WriteLine($"  certificate    {pdf} and {csv}: {(meets ? "MEETS the release criteria" : "does NOT meet the release criteria")}");
        foreach (CriterionResult result in results.Where(r => !r.Met))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    not met: {result.Name} ({result.Detail})"));
        }

        return meets;
    }
}
