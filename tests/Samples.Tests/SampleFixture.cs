using System.Diagnostics;

namespace Digitise.Samples.Tests;

/// <summary>One default 40-document set, generated once for the test class.</summary>
public sealed class SampleFixture : IDisposable
{
    public SampleFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "digitise-samples-" + Guid.NewGuid().ToString("N"));
        var watch = Stopwatch.StartNew();
        Set = SampleGenerator.Generate(new SampleOptions { OutputDirectory = Directory, Documents = 40, Seed = 1 });
        Elapsed = watch.Elapsed;
        Mpi = Csv.Read(Set.MpiCsv);
        Truth = Csv.Read(Set.TruthCsv);
    }

    public string Directory { get; }

    public SampleSet Set { get; }

    public TimeSpan Elapsed { get; }

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

/// <summary>A minimal RFC 4180 reader (quoted fields may hold commas) for the generated CSVs.</summary>
internal static class Csv
{
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Read(string path)
    {
        string[] lines = File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        List<string> header = Split(lines[0]);
        var rows = new List<IReadOnlyDictionary<string, string>>();
        foreach (string line in lines.Skip(1))
        {
            List<string> fields = Split(line);
            Assert.Equal(header.Count, fields.Count);
            rows.Add(header.Zip(fields).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));
        }

        return rows;
    }

    public static List<string> Header(string path) => Split(File.ReadLines(path).First());

    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString());
        return fields;
    }
}
