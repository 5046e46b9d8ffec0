using System.Text.RegularExpressions;

namespace Digitise.Samples.Tests;

/// <summary>Issue 11: the layout families, with their trust hospital-number formats and the dev / held-out split.</summary>
public sealed class LayoutFamiliesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("digitise-families-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Families_SplitIntoSixDevelopmentAndSixHeldOut_NoneShared()
    {
        Assert.Equal(6, LayoutFamilies.Development.Count);
        Assert.Equal(6, LayoutFamilies.HeldOut.Count);
        Assert.Empty(LayoutFamilies.Development.Intersect(LayoutFamilies.HeldOut));
    }

    [Fact]
    public void Generate_Families_EveryFamilyWrittenWithItsTrustsNumberFormat()
    {
        SampleSet set = SampleGenerator.Generate(new SampleOptions { OutputDirectory = _directory, Documents = 24, Seed = 5, Families = true, Workers = 2 });
        IReadOnlyList<IReadOnlyDictionary<string, string>> truth = Csv.Read(set.TruthCsv);
        IReadOnlyList<IReadOnlyDictionary<string, string>> mpi = Csv.Read(set.MpiCsv);

        Assert.Equal([.. LayoutFamilies.All.Order(StringComparer.Ordinal)], truth.Select(r => r["family"]).Distinct().Order(StringComparer.Ordinal));
        Assert.All(truth, r => Assert.True(File.Exists(Path.Combine(_directory, r["source_file"])), r["source_file"]));

        // At least five trust formats the default configuration (^[A-Z]{1,3}\d{6,7}$) does not read.
        var defaultPattern = new Regex(@"^[A-Z]{1,3}\d{6,7}$");
        var onIndex = truth.Where(r => r["on_index"] == "true").Select(r => r["patient_id"]).ToHashSet(StringComparer.Ordinal);
        int unconfigured = mpi.Where(p => onIndex.Contains(p["patient_id"]))
            .Select(p => p["hospital_number"])
            .Count(h => !defaultPattern.IsMatch(h.Replace(" ", string.Empty, StringComparison.Ordinal)));
        Assert.True(unconfigured >= 5, $"only {unconfigured} hospital numbers in unconfigured formats");
    }
}
