using System.Globalization;
using Digitise.Testing;

namespace Digitise.Cli.Tests;

/// <summary>
/// Real separator sheets from paperless-ngx's test suite (../shared/corpora/paperless/barcodes), split as its own
/// tests expect: patch code T in the middle (clean, fuzzy, fed reversed, TIFF), two sheets in a row, several per
/// batch; an unreadable sheet must not split.
/// </summary>
public sealed class PaperlessSeparatorTests : IDisposable
{
    private static readonly Dictionary<string, (int First, int Last)[]> Expected = new(StringComparer.Ordinal)
    {
        ["patch-code-t-middle.pdf"] = [(1, 1), (3, 3)],
        ["patch-code-t-middle.tiff"] = [(1, 1), (3, 3)],
        ["patch-code-t-middle-fuzzy.pdf"] = [(1, 1), (3, 3)],
        ["patch-code-t-middle-reverse.pdf"] = [(1, 1), (3, 3)],
        ["patch-code-t-middle-unreadable.pdf"] = [(1, 3)],
        ["patch-code-t-double.pdf"] = [(1, 1), (4, 4)],
        ["several-patcht-codes.pdf"] = [(1, 2), (4, 5), (7, 7)],
    };

    private readonly string _root = Directory.CreateTempSubdirectory("digitise-paperless-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [CorpusFact]
    public async Task Run_PaperlessPatchCodeSheets_SplitWhereTheirOwnTestsSay()
    {
        string input = Path.Combine(_root, "in");
        Directory.CreateDirectory(input);
        foreach (string file in Expected.Keys)
        {
            File.Copy(Shared.Path("corpora", "paperless", "barcodes", file), Path.Combine(input, file));
        }

        string outDir = Path.Combine(_root, "out");
        int code = await RunCommand.ExecuteAsync(
            new RunRequest([input], Path.Combine(Repo.Root, "samples", "mpi.csv"), outDir, Path.Combine(_root, "d.db"), null, null, null, Quiet: true) { Separate = "patch" },
            TextWriter.Null, TextWriter.Null, CancellationToken.None);

        Assert.Equal(0, code);
        List<Dictionary<string, string>> rows = Csv.Read(Path.Combine(outDir, "manifest.csv"));
        foreach ((string file, (int First, int Last)[] spans) in Expected)
        {
            var actual = rows.Where(r => Path.GetFileName(r["source_file"]) == file)
                .Select(r => (int.Parse(r["first_page"], CultureInfo.InvariantCulture), int.Parse(r["last_page"], CultureInfo.InvariantCulture)))
                .ToArray();
            Assert.True(spans.SequenceEqual(actual), $"{file}: expected {string.Join(' ', spans)}, got {string.Join(' ', actual)}");
        }

        Assert.Contains("balances:              yes", File.ReadAllText(Path.Combine(outDir, "reconciliation.txt")), StringComparison.Ordinal);
    }
}
