using Digitise.Domain;
using Digitise.Indexing.Matching;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Digitise.Indexing.Tests;

/// <summary>
/// Issue 11: the patient identified on documents of any layout — identifiers found through the index, each candidate's
/// own demographics searched for on the whole document, contradictions only from text about the patient.
/// </summary>
public sealed class CandidateSearchTests
{
    private static readonly Patient Margaret = new("M1", "9434765919", "H/123456/7", "ELLIS", "MARGARET", new DateOnly(1948, 7, 2), "F", "LS6 2QJ", "12 Acacia Avenue, Leeds");
    private static readonly Patient John = new("J1", "4010232137", "RXH1234567", "SMITH", "JOHN", new DateOnly(1950, 3, 14), "M", "BD7 1DP", "3 Mill Lane, Bradford");
    private static readonly Patient Mary = new("B1", null, "K123456", "BROWN", "MARY", new DateOnly(1990, 11, 15), "F", "HX1 2AB", "9 High Street, Halifax");
    private static readonly Patient Owen = new("O1", "4505577104", "0012345678", "OWEN", "DAVID", new DateOnly(1961, 1, 30), "M", "WF1 3CD", "40 Park Road, Wakefield");

    private static readonly PatientIndex Index = new([Margaret, John, Mary, Owen, .. FellegiSunterMatcherTests.Filler(400)]);
    private static readonly FellegiSunterMatcher Matcher = new(Index);
    private static readonly IdentifierExtractor Extractor = new();

    private static DocumentMatch Run(params string[] pages)
    {
        Document document = TestPages.Document(pages);
        return Matcher.Match(document, Extractor.Extract(document));
    }

    private static FieldComparison Field(MatchDecision decision, string field) => decision.Best!.Fields.Single(f => f.Field == field);

    [Fact]
    public void Match_UnlabelledHospitalNumberInAnotherTrustsFormat_FilesThroughTheIndex()
    {
        // Old typed notes: surname first in capitals, no labels, a two-digit-year date, the number alone at the top.
        DocumentMatch match = Run("H/123456/7\nELLIS MARGARET\nb. 2.7.48\nSeen in clinic, chest clear.");

        Assert.Equal(DocumentStatus.AutoFiled, match.Decision.Status);
        Assert.Equal("M1", match.Decision.Best!.PatientId);
        Assert.Equal("index", Field(match.Decision, "hospital_number").Source);
        Assert.Equal("search", Field(match.Decision, "date_of_birth").Source);
        ExtractedIdentifier dob = Assert.Single(match.Identifiers, i => i.Kind == IdentifierKind.DateOfBirth && i.Source == EvidenceSource.Search);
        Assert.Equal("M1", dob.SoughtFor);
        Assert.Equal(TestPages.BoxFor(2, 1), Assert.Single(dob.Boxes));
    }

    [Fact]
    public void Match_HospitalNumberUnderPlainLabelOnNextLine_Files()
    {
        DocumentMatch match = Run("Discharge summary\nPatient name Date of birth Hospital Number\nJohn Smith 14/03/1950 RXH1234567");
        Assert.Equal(DocumentStatus.AutoFiled, match.Decision.Status);
        Assert.Equal("J1", match.Decision.Best!.PatientId);
    }

    [Fact]
    public void Match_NumericHospitalNumberWithLeadingZeros_FilesWithItsPatientsName()
    {
        DocumentMatch match = Run("Hospital No Patient Date of birth\n0012345678 OWEN DAVID 30 Jan 61");
        Assert.Equal(DocumentStatus.AutoFiled, match.Decision.Status);
        Assert.Equal("O1", match.Decision.Best!.PatientId);
    }

    [Theory]
    [InlineData("02/07/1948")]
    [InlineData("2.7.48")]
    [InlineData("02-07-1948")]
    [InlineData("02 07 1948")]
    [InlineData("2 Jul 1948")]
    [InlineData("2-Jul-1948")]
    [InlineData("2nd July 1948")]
    [InlineData("2nd of July 1948")]
    [InlineData("July 2, 1948")]
    [InlineData("1948-07-02")]
    [InlineData("O2/O7/l948")]
    public void Match_DateOfBirthInAnyUkForm_IsFoundForTheCandidate(string written)
    {
        DocumentMatch match = Run($"Ref H/123456/7\nMrs Margaret Ellis\nborn {written} lives alone");
        Assert.Equal(DocumentStatus.AutoFiled, match.Decision.Status);
        Assert.Equal("exact", Field(match.Decision, "date_of_birth").Level);
    }

    [Fact]
    public void Match_SurnameFirstReadAsGivenName_IsNamesSwappedNotAContradiction()
    {
        IReadOnlyList<ExtractedIdentifier> ids =
        [
            TestPages.Id(IdentifierKind.NhsNumber, "9434765919"),
            TestPages.Id(IdentifierKind.DateOfBirth, "1948-07-02"),
            TestPages.Id(IdentifierKind.FamilyName, "MARGARET"),
            TestPages.Id(IdentifierKind.GivenName, "ELLIS"),
        ];
        MatchDecision decision = Matcher.Match(ids);
        Assert.Equal(DocumentStatus.AutoFiled, decision.Status);
        Assert.Equal(MatchFields.NamesSwapped, Field(decision, "family_name").Level);
        Assert.DoesNotContain("contradicts", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_OtherPeoplesNamesAndPostcodesOnALetter_NeverContradict()
    {
        DocumentMatch match = Run(
            "Meadow Lane Medical Practice, 1 Mill Road, LS1 2UT\nGP: Dr Peter Jones\nDear Dr Jones,\nRe: ELLIS, Margaret NHS No: 943 476 5919 DOB: 02-Jul-1948\n12 Acacia Avenue, Leeds LS6 2QJ",
            "Name Dose Frequency\nAspirin 75mg daily\ncc: Susan Taylor, Helen Wright\nYours sincerely, Dr Alan Walker");
        Assert.Equal(DocumentStatus.AutoFiled, match.Decision.Status);
        Assert.Equal("M1", match.Decision.Best!.PatientId);
        Assert.Contains(match.Decision.Best.Fields, f => f.Field == "address" && f.Source == "search");
    }

    [Fact]
    public void Match_OneOcrConfusionFromAHospitalNumber_CorroboratesButNeverFilesAlone()
    {
        Assert.NotEqual(DocumentStatus.AutoFiled, Run("Continuation sheet\nRXH12345G7\nMobilising with frame.").Decision.Status);

        DocumentMatch corroborated = Run("Continuation sheet\nRXH12345G7 SMITH John 14.03.1950\nMobilising with frame.");
        Assert.Equal("J1", corroborated.Decision.Best!.PatientId);
        Assert.Equal(MatchFields.Corrected, Field(corroborated.Decision, "hospital_number").Level);
        Assert.Equal(DocumentStatus.AutoFiled, corroborated.Decision.Status);
    }

    [Fact]
    public void Match_AnotherIndexPatientNamedWithDateOfBirth_IsAHardStop()
    {
        DocumentMatch match = Run("Re: ELLIS, Margaret NHS No: 943 476 5919 DOB: 02/07/1948\nNext of kin: Mary Brown born 15/11/1990");
        Assert.Equal(DocumentStatus.NeedsVerification, match.Decision.Status);
        Assert.Contains("another patient on the index named with date_of_birth", match.Decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_AnotherIndexPatientsHospitalNumberOnThePage_IsAHardStop()
    {
        DocumentMatch match = Run("Re: ELLIS, Margaret NHS No: 943 476 5919 DOB: 02/07/1948\nSee also notes RXH1234567");
        Assert.Equal(DocumentStatus.NeedsVerification, match.Decision.Status);
        Assert.Contains("identifiers point at different patients", match.Decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NHS Number: NNNNNNNNNN Title Forename Surname D.o.B 02/07/1948")]
    [InlineData("NHS no. 9991 2345 67 Margaret Ellis 02/07/1948")]
    [InlineData("Identifier 943476591 Ellis, Margaret 02-Jul-1948")]
    public void Match_PlaceholderOrInvalidNhsNumber_NeverFilesOnTheNumber(string page)
    {
        Assert.NotEqual(DocumentStatus.AutoFiled, Run(page).Decision.Status);
    }

    [Fact]
    public void Match_PatientNotOnIndexWithALookAlikesNameAndDob_IsNotFiled()
    {
        // Same name and date of birth as an index patient, no identifier of theirs: a clerk decides.
        DocumentMatch match = Run("Re: Margaret ELLIS DOB 02/07/1948 Hospital No: Q9999999");
        Assert.NotEqual(DocumentStatus.AutoFiled, match.Decision.Status);
    }

    /// <summary>
    /// Property (issue 11): random names, dates of birth and postcodes of OTHER index patients put on a page never make the
    /// document auto-file to any of them — whether the page's own patient is on the index or not.
    /// </summary>
    [Property(MaxTest = 150)]
    public Property Match_OtherPeoplesDemographicsOnThePage_NeverAutoFileToThem() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue - 1).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            Patient[] others = [John, Mary, Owen, .. FellegiSunterMatcherTests.Filler(400).Where(_ => random.Next(40) == 0)];
            var lines = new List<string>();
            bool ownOnIndex = random.Next(2) == 0;
            lines.Add(ownOnIndex
                ? "Re: ELLIS, Margaret NHS No: 943 476 5919 DOB: 02/07/1948"
                : "Re: NOBODY, Alice Hospital No: Z0000001 DOB: 01/01/1931");
            foreach (Patient other in others.OrderBy(_ => random.Next()).Take(random.Next(1, 4)))
            {
                string name = random.Next(2) == 0 ? $"{other.GivenName} {other.FamilyName}" : $"{other.FamilyName}, {other.GivenName}";
                string dob = other.DateOfBirth?.ToString(random.Next(2) == 0 ? "dd/MM/yyyy" : "d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                lines.Add(random.Next(3) switch
                {
                    0 => $"cc: {name} {other.Postcode}",
                    1 => $"Next of kin: {name} born {dob}",
                    _ => $"Dear {name}, {dob} {other.Postcode}",
                });
            }

            DocumentMatch match = Run(string.Join('\n', lines.OrderBy(_ => random.Next())));
            bool filedToOther = match.Decision.Status == DocumentStatus.AutoFiled && match.Decision.Best!.PatientId != "M1";
            bool filedWithoutOwn = match.Decision.Status == DocumentStatus.AutoFiled && !ownOnIndex;
            return !filedToOther && !filedWithoutOwn;
        });
}
