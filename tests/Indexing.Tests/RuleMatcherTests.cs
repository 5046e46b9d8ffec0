using Digitise.Domain;
using static Digitise.Indexing.Tests.TestPages;

namespace Digitise.Indexing.Tests;

public sealed class RuleMatcherTests
{
    private static readonly Patient JohnSmith = new("P1", "9434765919", "RXH1234567", "SMITH", "JOHN", new DateOnly(1948, 7, 2), "M", "LS6 2QJ", null);
    private static readonly Patient JamesSmith = new("P2", "4010232137", "RXH7654321", "SMITH", "JAMES", new DateOnly(1948, 7, 2), "M", "LS6 2QJ", null);
    private static readonly Patient MaryBrown = new("P3", null, "K123456", "BROWN", "MARY", new DateOnly(1990, 11, 15), "F", null, null);
    private static readonly Patient OtherMaryBrown = new("P4", null, "K654321", "BROWN", "MARY", new DateOnly(1990, 11, 15), "F", null, null);
    private static readonly Patient PriyaPatel = new("P5", "4505577105", null, "PATEL", "PRIYA", new DateOnly(1975, 5, 5), "F", null, null);
    private static readonly Patient PeterJones = new("P6", "9876543210", null, "JONES", "PETER", new DateOnly(1950, 11, 15), "M", null, null);

    private static readonly RuleMatcher Matcher = new(new InMemoryPatientIndex([JohnSmith, JamesSmith, MaryBrown, OtherMaryBrown, PriyaPatel, PeterJones]));

    [Fact]
    public void Match_NhsNumberWithAgreeingDemographics_AutoFiles()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("9434765919"), Dob("1948-07-02"), Family("SMITH"), Given("JOHN")));

        Assert.Equal(DocumentStatus.AutoFiled, decision.Status);
        Assert.Equal("P1", decision.Best?.PatientId);
        Assert.Equal("rules-1", decision.ModelVersion);
        Assert.Equal("nhs_number+date_of_birth+family_name+given_name agree", decision.Reason);
        Assert.Equal("exact", Field(decision.Best!, "nhs_number").Level);
        Assert.Equal("absent", Field(decision.Best!, "postcode").Level);
        Assert.Equal(
            ["nhs_number", "hospital_number", "date_of_birth", "family_name", "given_name", "postcode", "sex"],
            decision.Best!.Fields.Select(f => f.Field));
        Assert.InRange(decision.Best.Score, 0.99, 1);
    }

    [Fact]
    public void Match_NhsNumberAndFamilyNameOnly_AutoFiles()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("9434765919"), Family("Smith")));
        Assert.Equal(DocumentStatus.AutoFiled, decision.Status);
        Assert.Equal("nhs_number+family_name agree", decision.Reason);
    }

    [Fact]
    public void Match_HospitalNumberWithDateOfBirth_AutoFilesDespiteNameTwin()
    {
        MatchDecision decision = Matcher.Match(Ids(Hosp("K123456"), Dob("1990-11-15"), Family("BROWN"), Given("MARY")));
        Assert.Equal(DocumentStatus.AutoFiled, decision.Status);
        Assert.Equal("P3", decision.Best?.PatientId);
        Assert.Equal("P4", decision.Candidates[1].PatientId);
    }

    [Fact]
    public void Match_Twin_FilesToTheTwinTheNhsNumberNames()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("4010232137"), Dob("1948-07-02"), Family("SMITH"), Given("JAMES")));
        Assert.Equal(DocumentStatus.AutoFiled, decision.Status);
        Assert.Equal("P2", decision.Best?.PatientId);
    }

    [Fact]
    public void Match_TwinNhsNumberWithSiblingGivenName_NeedsVerification()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("9434765919"), Dob("1948-07-02"), Family("SMITH"), Given("JAMES")));
        Assert.Equal(DocumentStatus.NeedsVerification, decision.Status);
        Assert.Contains("given_name contradicts", decision.Reason, StringComparison.Ordinal);
        Assert.Equal(["P1", "P2"], decision.Candidates.Select(c => c.PatientId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Match_TwinsWithoutNhsNumber_NeedsVerificationRankingNamedTwinFirst()
    {
        MatchDecision decision = Matcher.Match(Ids(Dob("1948-07-02"), Family("SMITH"), Given("JAMES")));
        Assert.Equal(DocumentStatus.NeedsVerification, decision.Status);
        Assert.Equal(["P2", "P1"], decision.Candidates.Select(c => c.PatientId));
        Assert.Equal("no strong identifier", decision.Reason);
    }

    [Fact]
    public void Match_SameNameAndDobWithoutNhsNumber_NeedsVerification()
    {
        MatchDecision decision = Matcher.Match(Ids(Dob("1990-11-15"), Family("BROWN"), Given("MARY")));
        Assert.Equal(DocumentStatus.NeedsVerification, decision.Status);
        Assert.Equal(["P3", "P4"], decision.Candidates.Select(c => c.PatientId));
        Assert.Equal(decision.Candidates[0].Score, decision.Candidates[1].Score);
        Assert.Contains("rival candidate within margin", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_ValidNhsNumberNotOnIndexWithMatchingDemographics_NeverAutoFiles()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("5632122336"), Dob("1948-07-02"), Family("SMITH"), Given("JOHN"), Hosp("RXH1234567")));
        Assert.Equal(DocumentStatus.NeedsVerification, decision.Status);
        Assert.Contains("nhs_number not on index", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_ValidNhsNumberNotOnIndexAlone_Unmatched()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("5632122336"), Dob("2001-01-01"), Family("NOBODY"), Given("ANNE")));
        Assert.Equal(DocumentStatus.Unmatched, decision.Status);
        Assert.Empty(decision.Candidates);
        Assert.Equal("nhs_number not on index", decision.Reason);
    }

    [Fact]
    public void Match_MistypedNhsNumberOnIndex_NeedsVerificationWithCloseNumber()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("4505577104"), Dob("1975-05-05"), Family("PATEL"), Given("PRIYA")));
        Assert.Equal(DocumentStatus.NeedsVerification, decision.Status);
        Assert.Equal("P5", decision.Best?.PatientId);
        Assert.Equal("close", Field(decision.Best!, "nhs_number").Level);
    }

    [Fact]
    public void Match_NhsNumberFailingCheckWithMatchingDemographics_NeedsVerification()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("9434765918", valid: false), Dob("1948-07-02"), Family("SMITH"), Given("JOHN")));
        Assert.Equal(DocumentStatus.NeedsVerification, decision.Status);
        Assert.Equal("P1", decision.Best?.PatientId);
        Assert.Contains("nhs_number fails check", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_TwoNhsNumbersForDifferentPatients_NeedsVerification()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("9434765919"), Nhs("9876543210"), Family("SMITH"), Dob("1948-07-02")));
        Assert.Equal(DocumentStatus.NeedsVerification, decision.Status);
        Assert.Contains("two nhs_numbers on document", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("identifiers point at different patients", decision.Reason, StringComparison.Ordinal);
        Assert.Equal("P1", decision.Best?.PatientId);
        Assert.Contains(decision.Candidates, c => c.PatientId == "P6");
    }

    [Fact]
    public void Match_NhsAndHospitalNumbersForDifferentPatients_NeedsVerification()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("9434765919"), Hosp("K123456"), Family("SMITH"), Dob("1948-07-02")));
        Assert.Equal(DocumentStatus.NeedsVerification, decision.Status);
        Assert.Contains("identifiers point at different patients", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_DocumentNamingTwoPatients_NeedsVerification()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("9434765919"), Dob("1948-07-02"), Family("SMITH"), Given("JOHN"), Family("JONES"), Given("PETER")));
        Assert.Equal(DocumentStatus.NeedsVerification, decision.Status);
        Assert.Contains("two patients named", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1948-07-03", "SMITH", "JOHN", "M", "date_of_birth contradicts")]
    [InlineData("1948-02-07", "SMITH", "JOHN", "M", "date_of_birth contradicts")]
    [InlineData("1948-07-02", "WILLIAMSON", "JOHN", "M", "family_name contradicts")]
    [InlineData("1948-07-02", "SMITH", "JOHN", "F", "sex contradicts")]
    public void Match_StrongIdentifierWithContradiction_NeedsVerification(string dob, string family, string given, string sex, string reason)
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("9434765919"), Dob(dob), Family(family), Given(given), Id(IdentifierKind.Sex, sex)));
        Assert.Equal(DocumentStatus.NeedsVerification, decision.Status);
        Assert.Equal("P1", decision.Best?.PatientId);
        Assert.Contains(reason, decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("JOHNNY")]
    [InlineData("JACK")]
    [InlineData("J")]
    public void Match_NicknameOrInitial_StillAutoFiles(string given)
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("9434765919"), Dob("1948-07-02"), Family("SMITH"), Given(given)));
        Assert.Equal(DocumentStatus.AutoFiled, decision.Status);
        Assert.Equal("close", Field(decision.Best!, "given_name").Level);
    }

    [Fact]
    public void Match_StrongIdentifierAlone_NeedsVerification()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("9434765919")));
        Assert.Equal(DocumentStatus.NeedsVerification, decision.Status);
        Assert.Equal("no corroborating demographic", decision.Reason);
    }

    [Fact]
    public void Match_NhsNumberOnTwoIndexRecords_NeedsVerification()
    {
        var duplicate = JohnSmith with { PatientId = "P9" };
        var matcher = new RuleMatcher(new InMemoryPatientIndex([JohnSmith, duplicate]));
        MatchDecision decision = matcher.Match(Ids(Nhs("9434765919"), Dob("1948-07-02"), Family("SMITH")));
        Assert.Equal(DocumentStatus.NeedsVerification, decision.Status);
        Assert.Contains("nhs_number on several index records", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_NoIdentifiers_Unmatched()
    {
        MatchDecision decision = Matcher.Match([]);
        Assert.Equal(DocumentStatus.Unmatched, decision.Status);
        Assert.Equal("no identifiers", decision.Reason);
        Assert.Empty(decision.Candidates);
    }

    [Fact]
    public void Match_NameOnlyNotOnIndex_Unmatched()
    {
        MatchDecision decision = Matcher.Match(Ids(Family("SMITH"), Given("JOHN"), Id(IdentifierKind.DocumentDate, "2024-03-12")));
        Assert.Equal(DocumentStatus.Unmatched, decision.Status);
        Assert.Equal("no candidate on index", decision.Reason);
    }

    [Fact]
    public void Match_ExtractedAddressograph_AutoFilesEndToEnd()
    {
        var extractor = new IdentifierExtractor();
        IReadOnlyList<ExtractedIdentifier> ids = extractor.Extract(Document(
            "Ward round note", "SMITH, John  DOB: 02/07/1948  NHS No: 943 476 5919  Hosp No: RXH1234567"));

        MatchDecision decision = Matcher.Match(ids);

        Assert.Equal(DocumentStatus.AutoFiled, decision.Status);
        Assert.Equal("P1", decision.Best?.PatientId);
        Assert.Equal("nhs_number+hospital_number+date_of_birth+family_name+given_name agree", decision.Reason);
    }

    [Fact]
    public void Match_Reasons_CarryNoPatientData()
    {
        MatchDecision[] decisions =
        [
            Matcher.Match(Ids(Nhs("9434765919"), Dob("1948-07-02"), Family("SMITH"), Given("JAMES"))),
            Matcher.Match(Ids(Nhs("5632122336"), Dob("1948-07-02"), Family("SMITH"), Given("JOHN"))),
        ];

        Assert.All(decisions, d => Assert.DoesNotMatch("[0-9]|SMITH|JOHN|JAMES|1948", d.Reason));
    }

    private static IReadOnlyList<ExtractedIdentifier> Ids(params ExtractedIdentifier[] ids) => ids;

    private static ExtractedIdentifier Nhs(string value, bool valid = true) => Id(IdentifierKind.NhsNumber, value, valid);

    private static ExtractedIdentifier Hosp(string value) => Id(IdentifierKind.HospitalNumber, value);

    private static ExtractedIdentifier Dob(string value) => Id(IdentifierKind.DateOfBirth, value);

    private static ExtractedIdentifier Family(string value) => Id(IdentifierKind.FamilyName, value);

    private static ExtractedIdentifier Given(string value) => Id(IdentifierKind.GivenName, value);

    private static FieldComparison Field(MatchCandidate candidate, string name) => Assert.Single(candidate.Fields, f => f.Field == name);
}

public sealed class JaroWinklerTests
{
    [Theory]
    [InlineData("MARTHA", "MARHTA", 0.961)]
    [InlineData("DWAYNE", "DUANE", 0.840)]
    [InlineData("DIXON", "DICKSONX", 0.813)]
    [InlineData("SMITH", "SMITH", 1.0)]
    [InlineData("ABC", "XYZ", 0.0)]
    [InlineData("", "", 1.0)]
    [InlineData("A", "", 0.0)]
    public void Similarity_KnownPairs_MatchesReference(string a, string b, double expected) =>
        Assert.Equal(expected, JaroWinkler.Similarity(a, b), 3);

    [Theory]
    [InlineData("BILL", "WILLIAM", true)]
    [InlineData("MAGGIE", "MARGARET", true)]
    [InlineData("BOB", "ROBERT", true)]
    [InlineData("LIZ", "ELIZABETH", true)]
    [InlineData("JIM", "JAMES", true)]
    [InlineData("MOHAMMED", "MUHAMMAD", true)]
    [InlineData("JOHN", "JAMES", false)]
    [InlineData("UNKNOWNNAME", "JAMES", false)]
    public void AreNicknames_Pairs_RecognisesTable(string a, string b, bool expected) =>
        Assert.Equal(expected, Names.AreNicknames(a, b));
}
