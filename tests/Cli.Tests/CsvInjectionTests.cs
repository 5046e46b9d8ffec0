using Digitise.Domain;
using Digitise.Storage;

namespace Digitise.Cli.Tests;

/// <summary>CSV a person opens in a spreadsheet never runs a formula from a file name or a reason (OWASP CSV Injection).</summary>
public sealed class CsvInjectionTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "digitise-csv-tests", Guid.NewGuid().ToString("N"));

    public CsvInjectionTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")")]
    [InlineData("+1+1", "'+1+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("\rcmd", "'\rcmd")]
    [InlineData("box1/letter.tif", "box1/letter.tif")]
    [InlineData("a=b", "a=b")]
    public async Task Manifest_TextCellStartingWithAFormulaCharacter_IsNeutralised(string value, string expected)
    {
        string manifest = Path.Combine(_folder, "manifest.csv");
        var row = new ManifestRow(value, "ab12", "abcdef0123456789-0001", 1, 2, DocumentStatus.NeedsVerification, value, 0.97, value, 2, 88.5);

        await ManifestWriter.WriteAsync(manifest, [row], CancellationToken.None);

        Dictionary<string, string> read = Csv.Read(manifest).Single();
        Assert.Equal(expected, read["source_file"]);
        Assert.Equal(expected, read["patient_id"]);
        Assert.Equal(expected, read["reason"]);
        Assert.Equal("0.970", read["match_score"]);
        Assert.Equal("88.5", read["mean_confidence"]);
    }

    [Fact]
    public void Field_Numbers_StayNumbersEvenWhenNegative()
    {
        Assert.Equal("-3.25", global::Digitise.Text.Csv.Field("-3.25"));
        Assert.Equal("'-3.25", global::Digitise.Text.Csv.TextField("-3.25"));
        Assert.Equal("\"'=1,2\"", global::Digitise.Text.Csv.TextField("=1,2"));
    }
}
