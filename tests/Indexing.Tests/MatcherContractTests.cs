using System.Collections.Concurrent;
using Digitise.Domain;
using Digitise.Indexing.Matching;
using static Digitise.Indexing.Tests.TestPages;

namespace Digitise.Indexing.Tests;

/// <summary>
/// What every <see cref="IMatcher"/> must do about risk (DOMAIN.md "Safety rules"): each situation that makes a misfile likely
/// raises its typed <see cref="MatchRisk"/>, whatever status the matcher decides, and a clean document raises none. The
/// verification app's second confirmation reads these flags, so a matcher that misses one lets a risky document through
/// with a single clerk. One subclass per implementation, as the runtime's ChannelTestBase.
/// </summary>
public abstract class MatcherContractTests
{
    protected static readonly Patient JohnSmith = new("P1", "9434765919", "RXH1234567", "SMITH", "JOHN", new DateOnly(1948, 7, 2), "M", "LS6 2QJ", null);
    protected static readonly Patient JamesSmith = new("P2", "4010232137", "RXH7654321", "SMITH", "JAMES", new DateOnly(1948, 7, 2), "M", "LS6 2QJ", null);
    protected static readonly Patient MaryBrown = new("P3", null, "K123456", "BROWN", "MARY", new DateOnly(1990, 11, 15), "F", null, null);
    protected static readonly Patient OtherMaryBrown = new("P4", null, "K654321", "BROWN", "MARY", new DateOnly(1990, 11, 15), "F", null, null);
    protected static readonly Patient PriyaPatel = new("P5", "4505577105", null, "PATEL", "PRIYA", new DateOnly(1975, 5, 5), "F", "BD7 1DP", null);
    protected static readonly Patient OwenHughes = new("P6", null, null, "HUGHES", "OWEN", new DateOnly(1962, 3, 9), "M", "CF10 1AA", null);
    protected static readonly Patient GarethLlewellyn = new("P9", "6541237891", "RXH2222222", "LLEWELLYN", "GARETH", new DateOnly(1962, 3, 9), "M", "CF10 2AB", null);
    protected static readonly Patient PriyaPatelDuplicate = PriyaPatel with { PatientId = "P8" };
    protected static readonly Patient OtherOwenHughes = new("P7", null, null, "HUGHES", "OWEN", new DateOnly(1971, 8, 21), "M", "CF10 1AA", null);

    /// <summary>Every risk situation the contract knows, by name: the document's identifiers and the risk it must raise.</summary>
    public static readonly IReadOnlyDictionary<string, (ExtractedIdentifier[] Ids, MatchRisk Risk)> Situations =
        new Dictionary<string, (ExtractedIdentifier[], MatchRisk)>(StringComparer.Ordinal)
        {
            ["corrected NHS reading, corroborated"] = ([Corrected("9434765919"), Dob("1948-07-02"), Family("SMITH"), Given("JOHN")], MatchRisk.CorrectedNhsNumber),
            ["corrected NHS reading alone"] = ([Corrected("9434765919")], MatchRisk.CorrectedNhsNumber),
            ["NHS reading repaired, flag lost, raw text tells"] =
                ([Id(IdentifierKind.NhsNumber, "9434765919") with { Raw = "943 476 59l9" }, Dob("1948-07-02"), Family("SMITH")], MatchRisk.CorrectedNhsNumber),
            ["same name, other birthday, same postcode: rival within margin"] = ([Family("HUGHES"), Given("OWEN"), Postcode("CF10 1AA")], MatchRisk.RivalWithinMargin),
            ["two family names"] = ([Nhs("9434765919"), Dob("1948-07-02"), Family("SMITH"), Family("BROWN"), Given("JOHN")], MatchRisk.SeveralPatientsNamed),
            ["two NHS numbers"] = ([Nhs("9434765919"), Nhs("4505577105"), Dob("1948-07-02"), Family("SMITH")], MatchRisk.SeveralPatientsNamed),
            ["two dates of birth"] = ([Nhs("9434765919"), Dob("1948-07-02"), Dob("1975-05-05"), Family("SMITH")], MatchRisk.SeveralPatientsNamed),
            ["NHS and hospital numbers of different patients"] =
                ([Nhs("9434765919"), Hosp("RXH7654321"), Dob("1948-07-02"), Family("SMITH")], MatchRisk.IdentifiersPointAtDifferentPatients),
            ["NHS number on two index records"] = ([Nhs("4505577105"), Dob("1975-05-05"), Family("PATEL")], MatchRisk.IdentifiersPointAtDifferentPatients),
            ["valid NHS number not on the index, demographics of a patient"] =
                ([Nhs("4010232145"), Dob("1948-07-02"), Family("SMITH"), Given("JOHN")], MatchRisk.StrongIdentifierContradicted),
            ["hospital number differs from the patient's"] =
                ([Nhs("9434765919"), Hosp("RXH1111111"), Dob("1948-07-02"), Family("SMITH"), Given("JOHN")], MatchRisk.StrongIdentifierContradicted),
            ["date of birth contradicts"] = ([Nhs("9434765919"), Dob("1951-01-30"), Family("SMITH"), Given("JOHN")], MatchRisk.DemographicContradicted),
            ["given name contradicts (the twin's)"] = ([Nhs("9434765919"), Dob("1948-07-02"), Family("SMITH"), Given("JAMES")], MatchRisk.DemographicContradicted),
            ["twin filed by NHS number"] = ([Nhs("4010232137"), Dob("1948-07-02"), Family("SMITH"), Given("JAMES")], MatchRisk.SameNameAndDateOfBirth),
            ["same name and date of birth, no strong identifier"] = ([Dob("1990-11-15"), Family("BROWN"), Given("MARY")], MatchRisk.SameNameAndDateOfBirth),
            ["same name and date of birth: each other's rival"] = ([Dob("1990-11-15"), Family("BROWN"), Given("MARY")], MatchRisk.RivalWithinMargin),
        };

    private static readonly ConcurrentDictionary<Type, IMatcher> Matchers = new();

    public static TheoryData<string> SituationNames => [.. Situations.Keys];

    /// <summary>One matcher per implementation, built once (xunit makes a new instance per test).</summary>
    protected IMatcher Matcher => Matchers.GetOrAdd(GetType(), _ => Create([JohnSmith, JamesSmith, MaryBrown, OtherMaryBrown, PriyaPatel, PriyaPatelDuplicate, OwenHughes, OtherOwenHughes, GarethLlewellyn, .. FellegiSunterMatcherTests.Filler(300)]));

    /// <summary>The implementation under test, over an index of <paramref name="patients"/>.</summary>
    protected abstract IMatcher Create(IReadOnlyList<Patient> patients);

    [Theory]
    [MemberData(nameof(SituationNames))]
    public void Match_RiskSituation_RaisesItsFlag(string situation)
    {
        (ExtractedIdentifier[] ids, MatchRisk risk) = Situations[situation];

        MatchDecision decision = Matcher.Match(ids);

        Assert.True(decision.Risks.HasFlag(risk), $"{situation}: expected {risk.ToWire()}, got '{decision.Risks.ToWire()}' ({decision.Status.ToWire()}: {decision.Reason})");
    }

    [Fact]
    public void Situations_CoverEveryRisk()
    {
        MatchRisk covered = Situations.Values.Aggregate(MatchRisk.None, (all, s) => all | s.Risk);
        Assert.Equal([], MatchRisks.All.Where(r => r != MatchRisk.Unrecognised && !covered.HasFlag(r)).Select(r => r.ToWire()));
    }

    [Fact]
    public void Match_CleanStrongIdentifierCorroborated_AutoFilesWithNoRisk()
    {
        MatchDecision decision = Matcher.Match([Nhs("6541237891"), Dob("1962-03-09"), Family("LLEWELLYN"), Given("GARETH"), Postcode("CF10 2AB")]);

        Assert.Equal(DocumentStatus.AutoFiled, decision.Status);
        Assert.Equal(MatchRisk.None, decision.Risks);
    }

    [Fact]
    public void Match_NoIdentifiers_UnmatchedWithNoRisk()
    {
        MatchDecision decision = Matcher.Match([]);

        Assert.Equal(DocumentStatus.Unmatched, decision.Status);
        Assert.Equal(MatchRisk.None, decision.Risks);
    }

    [Fact]
    public void Match_AnyRiskRaised_NeverAutoFilesExceptCorroboratedCorrectionOrTwin()
    {
        // A risk is a fact, not a verdict; but only two of them are compatible with filing without a clerk: a corrected
        // reading corroborated by date of birth and family name, and a twin told apart by a clean strong identifier.
        foreach ((string name, (ExtractedIdentifier[] ids, MatchRisk _)) in Situations)
        {
            MatchDecision decision = Matcher.Match(ids);
            MatchRisk blocking = decision.Risks & ~(MatchRisk.CorrectedNhsNumber | MatchRisk.SameNameAndDateOfBirth);
            if (blocking != MatchRisk.None)
            {
                Assert.True(decision.Status != DocumentStatus.AutoFiled, $"{name}: auto-filed with {decision.Risks.ToWire()}");
            }
        }
    }

    private static ExtractedIdentifier Nhs(string v) => Id(IdentifierKind.NhsNumber, v);

    private static ExtractedIdentifier Corrected(string v) => Id(IdentifierKind.NhsNumber, v) with { IsCorrected = true };

    private static ExtractedIdentifier Hosp(string v) => Id(IdentifierKind.HospitalNumber, v);

    private static ExtractedIdentifier Dob(string v) => Id(IdentifierKind.DateOfBirth, v);

    private static ExtractedIdentifier Family(string v) => Id(IdentifierKind.FamilyName, v);

    private static ExtractedIdentifier Given(string v) => Id(IdentifierKind.GivenName, v);

    private static ExtractedIdentifier Postcode(string v) => Id(IdentifierKind.Postcode, v);
}

public sealed class FellegiSunterMatcherContractTests : MatcherContractTests
{
    protected override IMatcher Create(IReadOnlyList<Patient> patients)
    {
        var index = new PatientIndex(patients);
        return new FellegiSunterMatcher(index, ModelTrainer.EstimateU(index, MatchModel.Default(), 50_000, 1));
    }
}
