using System.Text;
using Digitise.Domain;

namespace Digitise.Indexing.Tests;

public sealed class FhirPatientReaderTests
{
    private const string Bundle = """
        {"resourceType":"Bundle","type":"collection","entry":[
          {"resource":{"resourceType":"Patient","id":"P1",
            "identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"},{"system":"https://trust.example/mrn","value":"RXH1234567"}],
            "name":[{"use":"official","family":"Smith","given":["John","Paul"]},{"use":"maiden","family":"Jones"}],
            "gender":"male","birthDate":"1948-07-02","address":[{"use":"home","line":["1 High St"],"city":"Leeds","postalCode":"ls62qj"}]}},
          {"resource":{"resourceType":"Patient","id":"P9","link":[{"other":{"reference":"Patient/P1"},"type":"replaced-by"}]}}
        ]}
        """;

    [Fact]
    public void ReadBundle_MapsNhsNumberNamesAndMerges()
    {
        var (patients, merges) = FhirPatientReader.ReadBundle(new MemoryStream(Encoding.UTF8.GetBytes(Bundle)));
        Patient p = Assert.Single(patients);
        Assert.Equal(("P1", "9434765919", "RXH1234567", "SMITH", "JOHN", "M", "LS6 2QJ", "JONES"), (p.PatientId, p.NhsNumber, p.HospitalNumber, p.FamilyName, p.GivenName, p.Sex, p.Postcode, p.PreviousFamilyName));
        Assert.Equal(new DateOnly(1948, 7, 2), p.DateOfBirth);
        Assert.Equal(("P9", "P1"), Assert.Single(merges));
    }

    [Fact]
    public void Extract_LabelledNhsNumberWithLetterForDigit_IsCorrectedAndMarked()
    {
        ExtractedIdentifier nhs = Assert.Single(new IdentifierExtractor().Extract(TestPages.Document("NHS No: 943 476 59l9")), i => i.Kind == IdentifierKind.NhsNumber);
        Assert.Equal("9434765919", nhs.Value);
        Assert.True(nhs.IsValid);
        Assert.True(nhs.IsCorrected);
    }

    [Fact]
    public void TryCorrect_TwoRepairsPass_IsRejected()
    {
        Assert.Null(NhsCorrection.TryCorrect("943 476 5919", NhsNumber.IsValid, allowDigitSubstitution: true));
        Assert.Equal("9434765919", NhsCorrection.TryCorrect("943 476 59?9", NhsNumber.IsValid, allowDigitSubstitution: false));
        Assert.Equal("4010232137", NhsCorrection.TryCorrect("4O1 O23 2137", NhsNumber.IsValid, allowDigitSubstitution: false));
    }
}
