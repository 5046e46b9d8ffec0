using System.Text;
using Digitise.Domain;
using Digitise.Indexing.Matching;

namespace Digitise.Indexing.Tests;

/// <summary>Incremental MPI updates (issue 3, item 6): new, changed and merged patients applied to the live index, no reload.</summary>
public sealed class PatientIndexIncrementalTests
{
    private static Patient Smith(string id = "P1", string postcode = "LS6 2QJ") =>
        new(id, "9434765919", "RXH1234567", "SMITH", "JOHN", new DateOnly(1948, 7, 2), "M", postcode, null);

    private static Patient Jones(string id = "P2") =>
        new(id, "4010232137", null, "JONES", "ANN", new DateOnly(1970, 1, 1), "F", "M1 1AA", null);

    [Fact]
    public void Apply_NewChangedUnchanged_UpdatesEveryBlockingIndex()
    {
        var index = new PatientIndex([Smith(), Jones()]);

        IndexUpdateResult result = index.Apply([Smith(postcode: "LS1 4AP"), Jones(), Jones("P3") with { NhsNumber = null }]);

        Assert.Equal(new IndexUpdateResult(1, 1, 1, 0), result);
        Assert.Equal(3, index.Count);
        Assert.Empty(index.FindByPostcode("LS6 2QJ"));
        Assert.Equal("P1", Assert.Single(index.FindByPostcode("ls1 4ap")).PatientId);
        Assert.Equal(["P2", "P3"], index.FindByFamilyAndGivenName("JONES", "ANN").Select(p => p.PatientId).Order(StringComparer.Ordinal));
        Assert.Equal(2.0 / 3, index.FamilyNameFrequency("JONES"), 6);
    }

    [Fact]
    public void Merge_RetiredLeavesTheBlocks_AndItsIdResolvesToTheSurvivor_ThenApplyRevivesIt()
    {
        var index = new PatientIndex([Smith(), Jones(), Smith("P9") with { NhsNumber = "9876543210", HospitalNumber = null }]);

        Assert.True(index.Merge("P9", "P1"));
        Assert.False(index.Merge("P9", "P1"));
        Assert.False(index.Merge("P2", "NOPE"));

        Assert.Equal(2, index.Count);
        Assert.Equal("P1", index.ResolveMerged("P9"));
        Assert.Equal("P1", index.Get("P9")!.PatientId);
        Assert.Empty(index.FindByNhsNumber("9876543210"));
        Assert.Equal("P1", Assert.Single(index.FindByPhoneticFamilyName("SMYTH", 1948)).PatientId);

        // A document naming the retired record's NHS number no longer finds it; the survivor is found by its own identifiers.
        var matcher = new FellegiSunterMatcher(index);
        ScoredDocument scored = matcher.Score(
        [
            new ExtractedIdentifier(IdentifierKind.NhsNumber, "9434765919", "943 476 5919", true, 0.9, 1, []),
            new ExtractedIdentifier(IdentifierKind.FamilyName, "SMITH", "SMITH", true, 0.9, 1, []),
        ]);
        Assert.Equal("P1", Assert.Single(scored.Candidates).Patient.PatientId);

        Assert.Equal(1, index.Apply([Smith("P9")]).Added);
        Assert.Equal("P9", index.ResolveMerged("P9"));
    }

    [Fact]
    public void Remove_TakesThePatientOutOfEveryBlock()
    {
        var index = new PatientIndex([Smith(), Jones()]);

        Assert.True(index.Remove("P1"));

        Assert.Empty(index.FindByNhsNumber("9434765919"));
        Assert.Empty(index.FindByHospitalNumber("RXH1234567"));
        Assert.Equal("P2", Assert.Single(index.All()).PatientId);
        Assert.Equal(0, index.FamilyNameFrequency("SMITH"));
    }

    [Fact]
    public void CommonNameBlock_ManyThousandsOfPatients_BuildsAndUpdates()
    {
        // 50,000 SMITHs in one family-name block (adding each with a scan of the block was quadratic). How long it takes is
        // a benchmark figure (scripts/bench-mpi: index build and incremental update at 1,000,000 patients), not a test.
        Patient[] smiths = [.. Enumerable.Range(0, 50_000).Select(i => Smith($"S{i}") with { NhsNumber = null, HospitalNumber = null, Postcode = null })];
        var index = new PatientIndex(smiths);
        IndexUpdateResult changed = index.Apply([.. smiths.Take(1000).Select(p => p with { GivenName = "PAUL" })]);

        Assert.Equal(1000, changed.Changed);
        Assert.Equal(49_000, index.FindByFamilyAndGivenName("SMITH", "JOHN").Count);
        Assert.Equal(50_000, index.FindByFamilyName("SMITH").Count);
    }

    [Fact]
    public void MpiFileReader_CsvWithMergedInto_GivesMergesNotPatients()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mpi-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "patient_id,family_name,given_name,merged_into\nA1,SMITH,JOHN,\nA2,SMYTH,JON,A1\nA3,X,Y,A3\n");
        try
        {
            MpiReadResult read = MpiFileReader.Read(path, out MpiFileFormat format);

            Assert.Equal(MpiFileFormat.Csv, format);
            Assert.Equal("A1", Assert.Single(read.Patients).PatientId);
            Assert.Equal(("A2", "A1"), Assert.Single(read.Merges));
            Assert.Equal(new MpiRowIssue(4, "merged_into names the row's own patient_id"), Assert.Single(read.Errors));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MpiFileReader_JsonThatIsNotABundle_IsInvalidData()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mpi-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Patient\",\"id\":1,", Encoding.UTF8);
        try
        {
            Assert.Throws<InvalidDataException>(() => MpiFileReader.Read(path, out _));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
