using System.Globalization;
using Digitise.Domain;
using Digitise.Indexing.Matching;
using static Digitise.Indexing.Tests.TestPages;

namespace Digitise.Indexing.Tests;

public sealed class FellegiSunterMatcherTests
{
    private static readonly Patient JohnSmith = new("P1", "9434765919", "RXH1234567", "SMITH", "JOHN", new DateOnly(1948, 7, 2), "M", "LS6 2QJ", null);
    private static readonly Patient JamesSmith = new("P2", "4010232137", "RXH7654321", "SMITH", "JAMES", new DateOnly(1948, 7, 2), "M", "LS6 2QJ", null);
    private static readonly Patient MaryBrown = new("P3", null, "K123456", "BROWN", "MARY", new DateOnly(1990, 11, 15), "F", null, null);
    private static readonly Patient OtherMaryBrown = new("P4", null, "K654321", "BROWN", "MARY", new DateOnly(1990, 11, 15), "F", null, null);
    private static readonly Patient PriyaPatel = new("P5", "4505577105", null, "PATEL", "PRIYA", new DateOnly(1975, 5, 5), "F", "BD7 1DP", null) { PreviousFamilyName = "SHAH" };

    private static readonly PatientIndex Index = new([JohnSmith, JamesSmith, MaryBrown, OtherMaryBrown, PriyaPatel, .. Filler(300)]);
    private static readonly FellegiSunterMatcher Matcher = new(Index, ModelTrainer.EstimateU(Index, MatchModel.Default(), 50_000, 1));

    [Fact]
    public void Match_NhsNumberWithAgreeingDemographics_AutoFilesWithFullExplanation()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("9434765919"), Dob("1948-07-02"), Family("SMITH"), Given("JOHN")));

        Assert.Equal(DocumentStatus.AutoFiled, decision.Status);
        Assert.Equal("P1", decision.Best?.PatientId);
        Assert.Equal("fs-0", decision.ModelVersion);
        Assert.Equal(
            ["nhs_number", "hospital_number", "date_of_birth", "family_name", "given_name", "sex", "postcode", "prior", "total"],
            decision.Best!.Fields.Select(f => f.Field));
        Assert.Equal("exact", decision.Best.Fields[0].Level);
        Assert.Equal("absent", decision.Best.Fields[1].Level);
        Assert.Equal(0, decision.Best.Fields[1].Weight);
        Assert.InRange(decision.Best.Score, 0.999, 1);
        Assert.Equal(decision.Best.Fields[^1].Weight, decision.Best.Fields.Take(8).Sum(f => f.Weight), 2);
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
    }

    [Fact]
    public void Match_TwinsWithoutNhsNumber_NeedsVerificationNamedTwinFirst()
    {
        MatchDecision decision = Matcher.Match(Ids(Dob("1948-07-02"), Family("SMITH"), Given("JAMES"), Postcode("LS6 2QJ")));
        Assert.Equal(DocumentStatus.NeedsVerification, decision.Status);
        Assert.Equal("P2", decision.Best?.PatientId);
        Assert.Contains("no strong identifier", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_SameNameAndDobWithoutStrongIdentifier_NeedsVerification()
    {
        MatchDecision decision = Matcher.Match(Ids(Dob("1990-11-15"), Family("BROWN"), Given("MARY")));
        Assert.Equal(DocumentStatus.NeedsVerification, decision.Status);
        Assert.Equal(["P3", "P4"], decision.Candidates.Take(2).Select(c => c.PatientId).Order(StringComparer.Ordinal));
        Assert.Contains(FellegiSunterMatcher.RivalReason, decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_SameNameAndDobWithHospitalNumber_AutoFilesTheRightOne()
    {
        MatchDecision decision = Matcher.Match(Ids(Hosp("K654321"), Dob("1990-11-15"), Family("BROWN"), Given("MARY")));
        Assert.Equal(DocumentStatus.AutoFiled, decision.Status);
        Assert.Equal("P4", decision.Best?.PatientId);
    }

    /// <summary>A valid NHS number (the check digit holds) that no patient on the test index has.</summary>
    private const string NotOnIndexNhs = "4856731181";

    [Fact]
    public void Match_PatientNotOnIndex_IsUnmatched()
    {
        Assert.True(NhsNumber.IsValid(NotOnIndexNhs)); // the premise: a strong identifier, only not on the index
        MatchDecision decision = Matcher.Match(Ids(Nhs(NotOnIndexNhs), Dob("1962-03-09"), Family("LLEWELLYN"), Given("GARETH")));
        Assert.Equal(DocumentStatus.Unmatched, decision.Status);
    }

    [Fact]
    public void Match_NotOnIndexRelativeSharingNameAndPostcode_IsNeverFiled()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs(NotOnIndexNhs), Family("SMITH"), Given("JOHN"), Postcode("LS6 2QJ")));
        Assert.NotEqual(DocumentStatus.AutoFiled, decision.Status);
    }

    [Fact]
    public void Match_CorrectedNhsReadingAlone_NeverAutoFiles()
    {
        Assert.NotEqual(DocumentStatus.AutoFiled, Matcher.Match(Ids(Corrected("9434765919"))).Status);
        Assert.NotEqual(DocumentStatus.AutoFiled, Matcher.Match(Ids(Corrected("9434765919"), Family("SMITH"), Given("JOHN"))).Status);
        MatchDecision withDob = Matcher.Match(Ids(Corrected("9434765919"), Dob("1948-07-02"), Given("JOHN")));
        Assert.NotEqual(DocumentStatus.AutoFiled, withDob.Status);
        Assert.Contains("corrected nhs_number", withDob.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_CorrectedNhsReadingWithDobAndFamilyName_FilesAndWeighsLessThanClean()
    {
        MatchDecision corrected = Matcher.Match(Ids(Corrected("9434765919"), Dob("1948-07-02"), Family("SMITH"), Given("JOHN")));
        MatchDecision clean = Matcher.Match(Ids(Nhs("9434765919"), Dob("1948-07-02"), Family("SMITH"), Given("JOHN")));
        Assert.Equal(DocumentStatus.AutoFiled, corrected.Status);
        Assert.Equal("corrected", corrected.Best!.Fields[0].Level);
        Assert.True(corrected.Best.Fields[0].Weight < clean.Best!.Fields[0].Weight - 5);
    }

    [Fact]
    public void Match_TwoPatientsNamed_NeedsVerification()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("9434765919"), Dob("1948-07-02"), Family("SMITH"), Family("BROWN"), Given("JOHN")));
        Assert.Equal(DocumentStatus.NeedsVerification, decision.Status);
        Assert.Contains("two patients named", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_IdentifiersPointingAtDifferentPatients_NeedsVerification()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("9434765919"), Hosp("RXH7654321"), Dob("1948-07-02"), Family("SMITH")));
        Assert.Equal(DocumentStatus.NeedsVerification, decision.Status);
        Assert.Contains("identifiers point at different patients", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_PreviousFamilyName_IsItsOwnLevelAndCorroborates()
    {
        MatchDecision decision = Matcher.Match(Ids(Nhs("4505577105"), Dob("1975-05-05"), Family("SHAH"), Given("PRIYA")));
        Assert.Equal(DocumentStatus.AutoFiled, decision.Status);
        Assert.Equal("previous_name", decision.Best!.Fields[3].Level);
    }

    [Fact]
    public void Match_DayMonthSwappedDob_IsItsOwnLevel()
    {
        MatchDecision decision = Matcher.Match(Ids(Hosp("K123456"), Dob("1990-11-15"), Family("BROWN"), Given("MARY")));
        Assert.Equal("P3", decision.Best?.PatientId);
        ScoredDocument scored = Matcher.Score(Ids(Nhs("4505577105"), Dob("1975-05-05"), Family("PATEL")));
        Assert.Equal("exact", scored.Candidates[0].Comparison["date_of_birth"]);
        Assert.Equal("day_month_swapped", FieldComparer.CompareDate(new DateOnly(1948, 2, 7), new DateOnly(1948, 7, 2)));
        Assert.Equal("one_digit", FieldComparer.CompareDate(new DateOnly(1948, 7, 3), new DateOnly(1948, 7, 2)));
        Assert.Equal("year_only", FieldComparer.CompareDate(new DateOnly(1948, 12, 25), new DateOnly(1948, 7, 2)));
    }

    [Fact]
    public void Score_CommonFamilyNameWeighsLessThanRareOne()
    {
        var index = new PatientIndex([.. Filler(300), new Patient("R1", null, null, "LLEWELLYN", "GARETH", null, null, null, null), new Patient("R2", null, null, "SMITH", "GARETH", null, null, null, null)]);
        var matcher = new FellegiSunterMatcher(index);
        double rare = matcher.Score(Ids(Family("LLEWELLYN"), Given("GARETH"))).Candidates.Single(c => c.Patient.PatientId == "R1").Fields[3].Weight;
        double common = matcher.Score(Ids(Family("SMITH"), Given("GARETH"))).Candidates.Single(c => c.Patient.PatientId == "R2").Fields[3].Weight;
        Assert.True(rare > common + 2, $"rare {rare}, common {common}");
    }

    [Fact]
    public void Train_ClerkLabels_MoveAVerificationClassToStraightThrough()
    {
        // Documents that carry the hospital number and name of a patient who has since moved (postcode different),
        // without a date of birth: the default model is not sure enough, and sends them to a clerk.
        List<Patient> patients = [.. Filler(400)];
        var index = new PatientIndex(patients);
        MatchModel before = ModelTrainer.EstimateU(index, MatchModel.Default(), 50_000, 1);
        IReadOnlyList<ExtractedIdentifier> Doc(Patient p) => Ids(Hosp(p.HospitalNumber!), Family(p.FamilyName), Given(p.GivenName), Postcode("ZZ99 3VZ"));
        var untrained = new FellegiSunterMatcher(index, before);
        List<Patient> moved = [.. patients.Where(p => untrained.Match(Doc(p)).Status == DocumentStatus.NeedsVerification).Take(60)];
        int verifiedBefore = moved.Count;

        // Clerks confirm the first 40; the model is retrained with them as labels; the other 20 are new documents of the same class.
        MatchModel after = ModelTrainer.Train(
            index,
            moved.Take(40).Select(p => new TrainingDocument(Doc(p), TrainingLabel.Filed, p.PatientId)),
            before,
            "fs-1");
        var trained = new FellegiSunterMatcher(index, after);
        List<MatchDecision> unseen = [.. moved.Skip(40).Select(p => trained.Match(Doc(p)))];

        Assert.Equal(60, verifiedBefore);
        Assert.All(unseen, d => Assert.Equal(DocumentStatus.AutoFiled, d.Status));
        Assert.All(unseen.Zip(moved.Skip(40)), x => Assert.Equal(x.Second.PatientId, x.First.Best!.PatientId));
        Assert.Equal("fs-1", unseen[0].ModelVersion);
    }

    [Fact]
    public void EstimateU_IndexWithFewerPairsThanTheSample_CountsEveryPairOnceWhateverTheSeed()
    {
        // 200 patients have 19,900 pairs, fewer than the 50,000 asked for: every pair is counted once, so the seed cannot
        // matter. 400 have 79,800: those are sampled, and another seed draws other pairs.
        var small = new PatientIndex([.. Filler(200)]);
        var large = new PatientIndex([.. Filler(400)]);

        string smallFirst = ModelTrainer.EstimateU(small, MatchModel.Default(), 50_000, 1).ToJson();
        string smallSecond = ModelTrainer.EstimateU(small, MatchModel.Default(), 50_000, 2).ToJson();
        string largeFirst = ModelTrainer.EstimateU(large, MatchModel.Default(), 50_000, 1).ToJson();
        string largeSecond = ModelTrainer.EstimateU(large, MatchModel.Default(), 50_000, 2).ToJson();

        Assert.Equal(smallFirst, smallSecond);
        Assert.NotEqual(largeFirst, largeSecond);
    }

    [Fact]
    public void Compare_PatientsSideWorkedOutOnce_GivesTheLevelsOfEachFieldCompared()
    {
        // The u of a model compares every patient with every other through keys and phonetic codes worked out once per
        // patient (PatientSide, DocumentEvidence.PhoneticOf); each level must be what the field's own comparison gives.
        string[] families = ["PHILLIPS", "FILIPS", "KNIGHT", "NIGHT", "THOMPSON", "TOMSON", "SMITH", "SMYTH", "SCHMIDT", "MACDONALD", "MCDONALD", "WRIGHT", "RIGHT"];
        List<Patient> patients = [.. families.Select((f, i) => new Patient(
            $"V{i}", null, null, f, i % 2 == 0 ? "ANN" : "ANNE", new DateOnly(1950 + i, 1 + (i % 12), 1 + i), i % 2 == 0 ? "F" : "M", null, null)),
            .. Filler(40)];

        var levels = new List<string>();
        foreach (Patient document in patients)
        {
            var evidence = new DocumentEvidence(ModelTrainer.AsIdentifiers(document));
            foreach (Patient patient in patients.Where(p => p != document))
            {
                ComparisonVector vector = FieldComparer.Compare(evidence, patient);
                string family = FieldComparer.CompareFamily(Names.Key(document.FamilyName), Names.Key(patient.FamilyName), Names.Key(patient.PreviousFamilyName));
                Assert.Equal(family, vector[MatchFields.FamilyName]);
                Assert.Equal(FieldComparer.CompareDate(document.DateOfBirth!.Value, patient.DateOfBirth!.Value), vector[MatchFields.DateOfBirth]);
                levels.Add(family);
            }
        }

        // The phonetic level is reached (names no closer agree), so the codes worked out once are the ones compared.
        Assert.Contains(MatchFields.Phonetic, levels);
        Assert.Contains(MatchFields.Different, levels);
    }

    [Fact]
    public void Model_RoundTripsThroughJson()
    {
        MatchModel model = MatchModel.Default();
        MatchModel back = MatchModel.FromJson(model.ToJson());
        Assert.Equal(model.Version, back.Version);
        Assert.Equal(model.Weight("date_of_birth", "exact"), back.Weight("date_of_birth", "exact"), 9);
    }

    [Fact]
    public void PatientIndex_IncrementalUpdates_NewChangedAndMerged()
    {
        var index = new PatientIndex([JohnSmith, JamesSmith]);
        IndexUpdateResult update = index.Apply([JohnSmith with { Postcode = "LS1 1AA" }, MaryBrown, JamesSmith]);
        Assert.Equal((1, 1, 1), (update.Added, update.Changed, update.Unchanged));
        Assert.Single(index.FindByPostcode("LS1 1AA"));
        Assert.Single(index.FindByPostcode("LS6 2QJ"));
        Assert.True(index.Merge("P2", "P1"));
        Assert.Empty(index.FindByNhsNumber("4010232137"));
        Assert.Equal("P1", index.Get("P2")?.PatientId);
        Assert.Equal(2, index.Count);
        Assert.Single(index.FindByPhoneticFamilyName("SMYTH", 1948));
    }

    private static ExtractedIdentifier Nhs(string v) => Id(IdentifierKind.NhsNumber, v);

    private static ExtractedIdentifier Corrected(string v) => Id(IdentifierKind.NhsNumber, v) with { IsCorrected = true };

    private static ExtractedIdentifier Hosp(string v) => Id(IdentifierKind.HospitalNumber, v);

    private static ExtractedIdentifier Dob(string v) => Id(IdentifierKind.DateOfBirth, v);

    private static ExtractedIdentifier Family(string v) => Id(IdentifierKind.FamilyName, v);

    private static ExtractedIdentifier Given(string v) => Id(IdentifierKind.GivenName, v);

    private static ExtractedIdentifier Postcode(string v) => Id(IdentifierKind.Postcode, v);

    private static List<ExtractedIdentifier> Ids(params ExtractedIdentifier[] ids) => [.. ids];

    /// <summary>Deterministic background patients with realistic name frequencies (many SMITHs, few of anything else).</summary>
    internal static IEnumerable<Patient> Filler(int count)
    {
        string[] families = ["SMITH", "SMITH", "SMITH", "JONES", "JONES", "TAYLOR", "BROWN", "WILLIAMS", "WILSON", "JOHNSON", "DAVIES", "ROBINSON", "WRIGHT", "THOMPSON", "EVANS", "WALKER", "WHITE", "ROBERTS", "GREEN", "HALL", "WOOD", "JACKSON", "CLARKE", "KHAN", "AHMED", "PATEL", "HUGHES", "EDWARDS", "LEWIS", "HILL"];
        string[] givens = ["JOHN", "DAVID", "SARAH", "EMMA", "JAMES", "MARY", "PETER", "SUSAN", "PAUL", "ANNE", "MARK", "HELEN", "ALI", "FATIMA", "OWEN", "CLAIRE"];
        var random = new Random(7);
        for (int i = 0; i < count; i++)
        {
            int nine = 100_000_000 + random.Next(800_000_000);
            string digits = nine.ToString(CultureInfo.InvariantCulture);
            int? check = NhsNumber.ComputeCheckDigit(digits);
            yield return new Patient(
                $"F{i:D5}",
                check is int c ? digits + c.ToString(CultureInfo.InvariantCulture) : null,
                $"RXH{random.Next(1_000_000, 9_999_999)}",
                families[random.Next(families.Length)],
                givens[random.Next(givens.Length)],
                new DateOnly(1930 + random.Next(80), 1 + random.Next(12), 1 + random.Next(28)),
                random.Next(2) == 0 ? "M" : "F",
                $"LS{1 + random.Next(20)} {random.Next(10)}{(char)('A' + random.Next(2))}{(char)('B' + random.Next(2))}",
                null);
        }
    }
}
