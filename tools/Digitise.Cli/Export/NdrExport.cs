using System.Globalization;
using System.Text;
using Digitise.Domain;
using Digitise.Export;
using Digitise.Hosting;
using Digitise.Storage;

namespace Digitise.Cli.Export;

/// <summary>
/// <c>digitise export BATCH --out DIR --ndr</c>: <c>DIR/ndr/</c> laid out for the National Document Repository's
/// Lloyd George bulk upload (one folder per NHS number, files named NofM, <c>metadata.csv</c>), every filed document's
/// searchable PDF a part of its patient's record in batch order. Patients the repository would refuse are left out
/// and listed with the reason in <c>DIR/ndr/rejected.csv</c> (not part of the upload) and on the console.
/// </summary>
internal static class NdrExport
{
    public static async Task<NdrUploadPlan> WriteAsync(
        IDigitiseStore store, IExportFacts exportFacts, DigitiseConfiguration configuration, long batchId, IReadOnlyList<ManifestRow> rows, string outDirectory, CancellationToken cancellationToken)
    {
        ExportOptions options = configuration.Bind<ExportOptions>("Export");
        var patients = new Dictionary<string, Patient>(StringComparer.Ordinal);
        await foreach (Patient patient in store.ReadPatientsAsync(cancellationToken).ConfigureAwait(false))
        {
            patients[patient.PatientId] = patient;
        }

        IReadOnlyDictionary<string, DocumentFacts> facts = await exportFacts.ReadFactsAsync(batchId, cancellationToken).ConfigureAwait(false);
        DateOnly today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);

        // A document still waiting for a clerk may be part of its best candidate's record: that record is not complete yet.
        var unresolved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (ManifestRow row in rows.Where(r => r.Status == DocumentStatus.NeedsVerification && r.PatientId is not null))
        {
            unresolved.TryAdd(row.PatientId!, $"document {row.DocumentId} is waiting for verification");
        }

        IEnumerable<NdrDocument> documents = rows
            .Where(r => r.Status is DocumentStatus.AutoFiled or DocumentStatus.Filed && r.PatientId is not null && r.SearchablePdf.Length > 0)
            .Select(r => new NdrDocument(
                r.DocumentId,
                r.PatientId!,
                Path.Combine(outDirectory, r.SearchablePdf),
                r.Pages,
                facts.TryGetValue(r.DocumentId, out DocumentFacts? f) ? DateOnly.FromDateTime(f.DecidedUtc.UtcDateTime) : today));
        NdrUploadPlan plan = NdrBulkUpload.Plan(documents, patients, unresolved, options);

        // Written beside the old folder and swapped in, so a re-export never leaves a previous export's files behind.
        string folder = Path.Combine(outDirectory, "ndr");
        string staging = folder + ".tmp";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        foreach (NdrFile file in plan.Files)
        {
            string target = Path.Combine(staging, file.RelativePath.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file.Document.PdfPath, target);
        }

        await File.WriteAllTextAsync(Path.Combine(staging, "metadata.csv"), NdrBulkUpload.Metadata(plan.Files, options, today), cancellationToken).ConfigureAwait(false);
        var rejected = new StringBuilder("patient_id,nhs_number,reason\n");
        foreach (NdrRejection rejection in plan.Rejections)
        {
            rejected.Append(CultureInfo.InvariantCulture, $"{Digitise.Text.Csv.Field(rejection.PatientId)},{Digitise.Text.Csv.Field(rejection.NhsNumber ?? string.Empty)},{Digitise.Text.Csv.Field(rejection.Reason)}\n");
        }

        await File.WriteAllTextAsync(Path.Combine(staging, "rejected.csv"), rejected.ToString(), cancellationToken).ConfigureAwait(false);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.Move(staging, folder);

        int accepted = plan.Files.Select(f => f.NhsNumber).Distinct(StringComparer.Ordinal).Count();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  ndr            {Path.Combine(folder, "metadata.csv")} ({plan.Files.Count} files for {accepted} patients; {plan.Rejections.Count} patients left out)"));
        foreach (NdrRejection rejection in plan.Rejections)
        {
            Console.WriteLine($"    left out {rejection.PatientId} {rejection.NhsNumber}: {rejection.Reason}");
        }

        int quarantined = rows.Count(r => r.Status == DocumentStatus.Quarantined);
        if (quarantined > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    note: {quarantined} quarantined documents belong to no one yet; a patient's record may gain pages when they are resolved"));
        }

        return plan;
    }
}
