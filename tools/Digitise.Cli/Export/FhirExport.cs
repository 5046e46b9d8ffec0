using System.Globalization;
using Digitise.Domain;
using Digitise.Export;
using Digitise.Storage;
using Digitise.Hosting;

namespace Digitise.Cli.Export;

/// <summary>
/// <c>digitise export BATCH --out DIR --fhir</c>: <c>DIR/fhir/bundle.json</c>, a FHIR R4 transaction Bundle with one
/// DocumentReference per filed document (auto-filed or filed by a clerk) whose searchable PDF the export wrote.
/// </summary>
internal static class FhirExport
{
    public static async Task<string> WriteAsync(
        IDigitiseStore store, IExportFacts exportFacts, DigitiseConfiguration configuration, long batchId, IReadOnlyList<ManifestRow> rows, string outDirectory, CancellationToken cancellationToken)
    {
        ExportOptions options = configuration.Bind<ExportOptions>("Export");
        DocumentTypeOptions types = configuration.Bind<DocumentTypeOptions>("DocumentTypes", t => t.Validate());
        var patients = new Dictionary<string, Patient>(StringComparer.Ordinal);
        await foreach (Patient patient in store.ReadPatientsAsync(cancellationToken).ConfigureAwait(false))
        {
            patients[patient.PatientId] = patient;
        }

        // Decision times and document dates, from whichever database the batch is in.
        IReadOnlyDictionary<string, DocumentFacts> facts = await exportFacts.ReadFactsAsync(batchId, cancellationToken).ConfigureAwait(false);
        var documents = new List<ExportDocument>();
        foreach (ManifestRow row in rows.Where(r => r.Status is DocumentStatus.AutoFiled or DocumentStatus.Filed && r.SearchablePdf.Length > 0 && r.PatientId is not null))
        {
            Patient? patient = patients.GetValueOrDefault(row.PatientId!);
            DocumentFacts? fact = facts.GetValueOrDefault(row.DocumentId);
            DocumentTypeDefinition type = types.Find(row.DocumentType) ?? types.Find(DocumentTypeOptions.OtherCode)!;
            documents.Add(new ExportDocument(
                row.DocumentId,
                patient?.NhsNumber,
                patient?.HospitalNumber ?? row.PatientId,
                type,
                fact?.DecidedUtc ?? TimeProvider.System.GetUtcNow(),
                fact?.DocumentDates.Count > 0 ? fact.DocumentDates[0] : null,
                fact?.DocumentDates.Count > 0 ? fact.DocumentDates[^1] : null,
                Path.Combine(outDirectory, row.SearchablePdf),
                row.SearchablePdf.Replace('\\', '/')));
        }

        string folder = Path.Combine(outDirectory, "fhir");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "bundle.json");
        string json = FhirDocumentBundle.ToJson(FhirDocumentBundle.Build(documents, options, TimeProvider.System.GetUtcNow()));
        await File.WriteAllTextAsync(path + ".tmp", json, cancellationToken).ConfigureAwait(false);
        File.Move(path + ".tmp", path, overwrite: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  fhir           {path} ({documents.Count} DocumentReference)"));
        return path;
    }
}
