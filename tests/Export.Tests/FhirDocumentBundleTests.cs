using System.Security.Cryptography;
using Digitise.Domain;
using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace Digitise.Export.Tests;

/// <summary>The FHIR export validated against the base R4 definitions (specification.zip, offline) and parsed back.</summary>
public sealed class FhirDocumentBundleTests : IDisposable
{
    private static readonly Lazy<Validator> R4Validator = new(() =>
    {
        // The base R4 StructureDefinitions come from specification.zip (Hl7.Fhir.Specification.Data.R4), beside the tests: no network.
        var resolver = new CachedResolver(ZipSource.CreateValidationSource());
        return new Validator(resolver, LocalTerminologyService.CreateDefaultForCore(resolver), null, new ValidationSettings());
    });

    private static readonly ExportOptions Options = new() { OdsCode = "RR8", HospitalNumberSystem = "https://fhir.example-trust.nhs.uk/Id/hospital-number" };

    private readonly string _folder = Directory.CreateTempSubdirectory("digitise-fhir-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Build_FiledDocuments_ValidatesAgainstBaseR4WithNoErrors()
    {
        Bundle bundle = FhirDocumentBundle.Build(Documents(), Options, DateTimeOffset.UnixEpoch);
        OperationOutcome outcome = R4Validator.Value.Validate(bundle);
        Assert.True(Errors(outcome).Count == 0, string.Join("\n", Errors(outcome)));
    }

    [Fact]
    public void Build_ThenParse_FieldsAsTheIssueSpecifies()
    {
        IReadOnlyList<ExportDocument> documents = Documents();
        Bundle bundle = FhirDocumentBundle.Parse(FhirDocumentBundle.ToJson(FhirDocumentBundle.Build(documents, Options, DateTimeOffset.UnixEpoch)));
        Assert.Equal(Bundle.BundleType.Transaction, bundle.Type);
        Assert.Equal(2, bundle.Entry.Count);

        var withNhs = Assert.IsType<DocumentReference>(bundle.Entry[0].Resource);
        Assert.Equal("0123abcd-0001", withNhs.MasterIdentifier!.Value);
        Assert.Equal(DocumentReferenceStatus.Current, withNhs.Status);
        Assert.Equal(("http://snomed.info/sct", "373942005"), (withNhs.Type!.Coding[0].System, withNhs.Type!.Coding[0].Code));
        Assert.Equal(("https://fhir.nhs.uk/Id/nhs-number", "9434765919"), (withNhs.Subject!.Identifier!.System, withNhs.Subject!.Identifier!.Value));
        Assert.Equal("RR8", withNhs.Custodian!.Identifier!.Value);
        Assert.Equal("RR8", withNhs.Author[0].Identifier!.Value);
        Attachment pdf = withNhs.Content[0].Attachment!;
        byte[] bytes = File.ReadAllBytes(documents[0].PdfPath);
        Assert.Equal("application/pdf", pdf.ContentType);
        Assert.Equal("documents/0123abcd-0001.pdf", pdf.Url);
        Assert.Equal(bytes.Length, Assert.IsType<UnsignedInt>(pdf.SizeElement).Value);
#pragma warning disable CA5350 // checking FHIR's SHA-1 attachment hash
        Assert.Equal(SHA1.HashData(bytes), pdf.Hash);
#pragma warning restore CA5350
        Assert.Equal("2024-03-02", pdf.Creation);
        Assert.Equal(("2024-02-20", "2024-03-02"), (withNhs.Context!.Period!.Start, withNhs.Context!.Period!.End));
        Assert.Equal("DocumentReference", bundle.Entry[0].Request!.Url);
        Assert.Equal("identifier=https://digitise.invalid/Id/document|0123abcd-0001", bundle.Entry[0].Request!.IfNoneExist);

        var noNhs = Assert.IsType<DocumentReference>(bundle.Entry[1].Resource);
        Assert.Equal((Options.HospitalNumberSystem, "RX123456"), (noNhs.Subject!.Identifier!.System, noNhs.Subject!.Identifier!.Value));
        Assert.Null(noNhs.Context);
    }

    [Fact]
    public void Build_PdfBaseUrl_AttachmentUrlIsTheBlobUrl()
    {
        var options = new ExportOptions { OdsCode = "RR8", PdfBaseUrl = "https://store.example/records/" };
        DocumentReference reference = FhirDocumentBundle.ToDocumentReference(Documents()[0], options);
        Assert.Equal("https://store.example/records/documents/0123abcd-0001.pdf", reference.Content[0].Attachment!.Url);
    }

    [Fact]
    public void Validate_BrokenFields_ValidatorFails()
    {
        Bundle bundle = FhirDocumentBundle.Build(Documents(), Options, DateTimeOffset.UnixEpoch);
        var reference = Assert.IsType<DocumentReference>(bundle.Entry[0].Resource);
        reference.Status = null;
        reference.Content[0].Attachment!.ContentType = "not a mime type";
        List<string> errors = Errors(R4Validator.Value.Validate(bundle));
        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.Contains("status", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Build_NoOdsCode_FailsNamingTheSetting()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => FhirDocumentBundle.Build(Documents(), new ExportOptions(), DateTimeOffset.UnixEpoch));
        Assert.Contains("Export:OdsCode", ex.Message, StringComparison.Ordinal);
    }

    private IReadOnlyList<ExportDocument> Documents()
    {
        DocumentTypeDefinition summary = DocumentTypeOptions.Defaults.Single(t => t.Code == "discharge_summary");
        DocumentTypeDefinition lab = DocumentTypeOptions.Defaults.Single(t => t.Code == "laboratory_report");
        return
        [
            new ExportDocument("0123abcd-0001", "9434765919", "RX123456", summary, new DateTimeOffset(2024, 3, 5, 10, 0, 0, TimeSpan.Zero),
                new DateOnly(2024, 2, 20), new DateOnly(2024, 3, 2), Pdf("0123abcd-0001"), "documents/0123abcd-0001.pdf"),
            new ExportDocument("0123abcd-0003", null, "RX123456", lab, new DateTimeOffset(2024, 3, 5, 10, 0, 0, TimeSpan.Zero),
                null, null, Pdf("0123abcd-0003"), "documents/0123abcd-0003.pdf"),
        ];
    }

    private string Pdf(string id)
    {
        string path = Path.Combine(_folder, id + ".pdf");
        File.WriteAllText(path, "%PDF-1.7\n% a stand-in: the export reads only its bytes\n%%EOF\n");
        return path;
    }

    private static List<string> Errors(OperationOutcome outcome) => outcome.Issue
        .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
        .Select(i => $"{i.Severity} {i.Code}: {i.Details?.Text} at {string.Join(",", i.Expression ?? [])}")
        .ToList();
}
