using System.Globalization;
using Digitise.Export;
using Digitise.Hosting;
using Digitise.Storage;
using Microsoft.Extensions.Configuration;

namespace Digitise.Cli.Export;

/// <summary>
/// <c>digitise export BATCH --out DIR --certificate</c>: <c>DIR/certificate.pdf</c> and <c>DIR/certificate.csv</c>,
/// the evidence a records manager signs before the batch's paper is destroyed, with the release statement
/// (<c>Certificate:MaxMisfileUpper95</c>; the QA share is the verification app's <c>Verify:QaShare</c>). The manager
/// dashboard offers the same certificate through <see cref="BatchCertificates"/>.
/// </summary>
internal static class CertificateExport
{
    public static async Task<bool> WriteAsync(
        IDigitiseStore store, IExportFacts exportFacts, DigitiseConfiguration configuration, BatchReconciliation account, string outDirectory, CancellationToken cancellationToken)
    {
        ReleaseCriteria criteria = configuration.Bind<ReleaseCriteria>("Certificate", c => c.Validate());
        double qaShare = configuration.Configuration.GetValue("Verify:QaShare", 0.05);
        BatchCertificateData data = await BatchCertificates.ReadAsync(store, exportFacts, account.BatchId, qaShare, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"batch {account.BatchId} is no longer in the database");

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
