using Digitise.Text;

namespace Digitise.Samples.Tests;

/// <summary>One default 40-document set, generated once for the test class.</summary>
public sealed class SampleFixture : IDisposable
{
    public SampleFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "digitise-samples-" + Guid.NewGuid().ToString("N"));
        Set = SampleGenerator.Generate(new SampleOptions { OutputDirectory = Directory, Documents = 40, Seed = 1 });
        Mpi = Csv.Read(Set.MpiCsv);
        Truth = Csv.Read(Set.TruthCsv);
    }

    public string Directory { get; }

    public SampleSet Set { get; }

    public IReadOnlyList<IReadOnlyDictionary<string, string>> Mpi { get; }

    public IReadOnlyList<IReadOnlyDictionary<string, string>> Truth { get; }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The generated CSVs, read with the product's own RFC 4180 reader; every row must have every column.</summary>
internal static class Csv
{
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Read(string path)
    {
        using var reader = new StreamReader(path);
        CsvRecord[] records = [.. Digitise.Text.Csv.ReadRecords(reader).Where(r => !r.IsEmpty)];
        IReadOnlyList<string> header = records[0].Fields;
        Assert.All(records, r => Assert.Null(r.Error));
        Assert.All(records, r => Assert.Equal(header.Count, r.Fields.Count));
        return [.. records.Skip(1).Select(r => header.Zip(r.Fields).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal))];
    }

    public static IReadOnlyList<string> Header(string path) => Digitise.Text.Csv.ReadTable(path).Header;
}
