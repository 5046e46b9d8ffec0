using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Digitise.Domain;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Digitise.Export;

/// <summary>Settings under <c>Export</c>: who the documents come from and how receiving systems name things.</summary>
public sealed class ExportOptions
{
    /// <summary>The ODS code of the organisation that holds the records (custodian and author of every DocumentReference).</summary>
    public string OdsCode { get; init; } = string.Empty;

    /// <summary>Identifier system for hospital numbers, used as the subject where a patient has no NHS number.</summary>
    public string HospitalNumberSystem { get; init; } = "https://digitise.invalid/Id/hospital-number";

    /// <summary>Identifier system of the documents' ids (DocumentReference.masterIdentifier).</summary>
    public string DocumentIdSystem { get; init; } = "https://digitise.invalid/Id/document";

    /// <summary>
    /// Where the receiving system finds the PDFs (e.g. a blob container URL): attachment URLs are this joined with the
    /// PDF's path under the output folder; empty means the relative path itself.
    /// </summary>
    public string PdfBaseUrl { get; init; } = string.Empty;

    /// <summary>NDR bulk upload: the GP practice's ODS code (GP-PRACTICE-CODE).</summary>
    public string GpPracticeCode { get; init; } = string.Empty;

    /// <summary>NDR bulk upload: the scanning user or bureau id (USER-ID) and the prefix of SCAN-IDs.</summary>
    public string ScanUserId { get; init; } = "digitise";

    public string ScanIdPrefix { get; init; } = string.Empty;

    public void ValidateForNdr()
    {
        if (string.IsNullOrWhiteSpace(GpPracticeCode) || !GpPracticeCode.All(char.IsAsciiLetterOrDigit))
        {
            throw new InvalidOperationException("Export:GpPracticeCode must be set to the GP practice's ODS code (letters and digits) for --ndr.");
        }

        if (string.IsNullOrWhiteSpace(ScanUserId) || ScanUserId.AsSpan().IndexOfAny(",\"\r\n") >= 0 || ScanIdPrefix.AsSpan().IndexOfAny(",\"\r\n") >= 0)
        {
            throw new InvalidOperationException("Export:ScanUserId must be set, and neither it nor Export:ScanIdPrefix may hold commas, quotes or line breaks.");
        }
    }

    public void ValidateForFhir()
    {
        if (string.IsNullOrWhiteSpace(OdsCode) || !OdsCode.All(char.IsAsciiLetterOrDigit))
        {
            throw new InvalidOperationException("Export:OdsCode must be set to the records holder's ODS code (letters and digits) for --fhir.");
        }

        foreach ((string name, string value) in new[] { ("Export:HospitalNumberSystem", HospitalNumberSystem), ("Export:DocumentIdSystem", DocumentIdSystem) })
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out _))
            {
                throw new InvalidOperationException($"{name} must be an absolute URI.");
            }
        }
    }
}

/// <summary>One filed document to export, with its patient's identifiers and its searchable PDF.</summary>
/// <param name="PdfPath">The PDF on disk (its size and SHA-1 go into the attachment).</param>
/// <param name="PdfRelativePath">The PDF's path under the output folder, with '/' separators.</param>
public sealed record ExportDocument(
    string DocumentId,
    string? NhsNumber,
    string? HospitalNumber,
    DocumentTypeDefinition Type,
    DateTimeOffset FiledUtc,
    DateOnly? EarliestDate,
    DateOnly? LatestDate,
    string PdfPath,
    string PdfRelativePath);

/// <summary>
/// A FHIR R4 transaction Bundle with one DocumentReference per filed document, each a conditional create on its
/// document id, so posting the same export twice stores each document once.
/// </summary>
public static class FhirDocumentBundle
{
    public const string NhsNumberSystem = "https://fhir.nhs.uk/Id/nhs-number";
    public const string OdsSystem = "https://fhir.nhs.uk/Id/ods-organization-code";
    public const string SnomedSystem = "http://snomed.info/sct";

    public static Bundle Build(IEnumerable<ExportDocument> documents, ExportOptions options, DateTimeOffset now)
    {
        options.ValidateForFhir();
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction, Timestamp = now };
        foreach (ExportDocument document in documents)
        {
            DocumentReference reference = ToDocumentReference(document, options);
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = "urn:uuid:" + StableUuid(document.DocumentId),
                Resource = reference,
                Request = new Bundle.RequestComponent
                {
                    Method = Bundle.HTTPVerb.POST,
                    Url = "DocumentReference",
                    IfNoneExist = $"identifier={options.DocumentIdSystem}|{document.DocumentId}",
                },
            });
        }

        return bundle;
    }

    public static DocumentReference ToDocumentReference(ExportDocument document, ExportOptions options)
    {
        byte[] pdf = File.ReadAllBytes(document.PdfPath);
#pragma warning disable CA5350 // FHIR defines Attachment.hash as the SHA-1 of the data: an integrity check, not a security boundary.
        byte[] sha1 = SHA1.HashData(pdf);
#pragma warning restore CA5350
        string creation = (document.LatestDate ?? DateOnly.FromDateTime(document.FiledUtc.UtcDateTime)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var reference = new DocumentReference
        {
            MasterIdentifier = new Identifier(options.DocumentIdSystem, document.DocumentId),
            Status = DocumentReferenceStatus.Current,
            Type = new CodeableConcept(SnomedSystem, document.Type.Snomed, document.Type.SnomedDisplay, document.Type.Display),
            Subject = new ResourceReference { Identifier = document.NhsNumber is { Length: > 0 } nhs
                ? new Identifier(NhsNumberSystem, nhs)
                : new Identifier(options.HospitalNumberSystem, document.HospitalNumber ?? string.Empty) },
            Date = document.FiledUtc,
            Author = [Organisation(options.OdsCode)],
            Custodian = Organisation(options.OdsCode),
            Content =
            [
                new DocumentReference.ContentComponent
                {
                    Attachment = new Attachment
                    {
                        ContentType = "application/pdf",
                        Url = Url(options.PdfBaseUrl, document.PdfRelativePath),
                        SizeElement = new UnsignedInt(pdf.Length),
                        Hash = sha1,
                        Title = $"{document.Type.Display} {creation}",
                        Creation = creation,
                    },
                },
            ],
        };
        if (document.EarliestDate is { } start)
        {
            reference.Context = new DocumentReference.ContextComponent
            {
                Period = new Period(new FhirDateTime(start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
                    new FhirDateTime((document.LatestDate ?? start).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))),
            };
        }

        return reference;
    }

    /// <summary>The JSON options for R4 resources (System.Text.Json with the SDK's converters).</summary>
    public static JsonSerializerOptions Json { get; } = new JsonSerializerOptions { WriteIndented = true }.ForFhir(ModelInfo.ModelInspector);

    public static string ToJson(Bundle bundle) => JsonSerializer.Serialize(bundle, Json);

    public static Bundle Parse(string json) => JsonSerializer.Deserialize<Bundle>(json, Json) ?? throw new InvalidDataException("Not a FHIR Bundle.");

    private static ResourceReference Organisation(string ods) => new() { Identifier = new Identifier(OdsSystem, ods) };

    private static string Url(string baseUrl, string relative) =>
        baseUrl.Length == 0 ? relative : baseUrl.TrimEnd('/') + "/" + string.Join('/', relative.Split('/').Select(Uri.EscapeDataString));

    /// <summary>A name-based UUID (SHA-256 of the document id in the RFC 9562 version 8 layout), so re-exports keep their fullUrls.</summary>
    private static string StableUuid(string name)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes("digitise-document:" + name));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }
}
