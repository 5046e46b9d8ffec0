using System.Security.Cryptography;
using Digitise.Domain;
using Digitise.Formats;
using Digitise.Ocr;
using Digitise.Ocr.Imaging;

namespace Digitise.Samples.Tests;

public sealed class SampleGeneratorTests : IClassFixture<SampleFixture>
{
    private readonly SampleFixture _fixture;

    public SampleGeneratorTests(SampleFixture fixture) => _fixture = fixture;

    [Fact]
    public void Generate_DefaultOptions_WritesCsvHeadersAsSpecified()
    {
        Assert.Equal(
            ["patient_id", "nhs_number", "hospital_number", "family_name", "given_name", "date_of_birth", "sex", "postcode", "address"],
            Csv.Header(_fixture.Set.MpiCsv));
        Assert.Equal(
            ["source_file", "document_type", "pages", "patient_id", "on_index", "hard_case", "format"],
            Csv.Header(_fixture.Set.TruthCsv).Take(7));
        Assert.Equal(40, _fixture.Truth.Count);
    }

    [Fact]
    public void Generate_DefaultOptions_EveryTruthRowHasItsFile()
    {
        foreach (var row in _fixture.Truth)
        {
            string path = Path.Combine(_fixture.Directory, row["source_file"]);
            Assert.True(File.Exists(path), row["source_file"]);
            Assert.True(new FileInfo(path).Length > 1000, row["source_file"]);
        }

        Assert.Equal(40, Directory.GetFiles(Path.Combine(_fixture.Directory, "batch")).Length);
    }

    [Fact]
    public void Generate_DefaultOptions_NhsNumbersPassModulus11ExceptDeliberateMistypes()
    {
        var mistyped = _fixture.Truth.Where(r => r["hard_case"] == "mpi_nhs_mistyped").Select(r => r["patient_id"]).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(mistyped);
        foreach (var row in _fixture.Mpi)
        {
            bool valid = IsValidNhs(row["nhs_number"]);
            Assert.True(valid != mistyped.Contains(row["patient_id"]), row["patient_id"]);
        }

        Assert.Equal(_fixture.Mpi.Count, _fixture.Mpi.Select(r => r["nhs_number"]).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Generate_DefaultOptions_IndexIsThreeTimesThePatientsWithDocumentsOrAtLeast200()
    {
        int indexedWithDocuments = _fixture.Truth.Where(r => r["on_index"] == "true").Select(r => r["patient_id"]).Distinct(StringComparer.Ordinal).Count();
        Assert.Equal(Math.Max(3 * indexedWithDocuments, 200), _fixture.Mpi.Count);
        Assert.Equal(_fixture.Set.IndexRows, _fixture.Mpi.Count);
    }

    [Fact]
    public void Generate_DefaultOptions_HardCasesPresentAndConsistentWithIndex()
    {
        var mpi = _fixture.Mpi.ToDictionary(r => r["patient_id"], StringComparer.Ordinal);
        var cases = _fixture.Truth.GroupBy(r => r["hard_case"], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (string name in new[] { "twin", "same_name_dob", "not_on_index", "mpi_nhs_mistyped", "nickname", "mc_mac", "hyphenated", "apostrophe", "name_change", "no_nhs_number", "none" })
        {
            Assert.True(cases.ContainsKey(name), name);
        }

        // Twins: same family, DOB and postcode; different given names and NHS numbers.
        var twins = cases["twin"].Select(r => mpi[r["patient_id"]]).ToList();
        Assert.Equal(2, twins.Count);
        Assert.Equal(twins[0]["family_name"], twins[1]["family_name"]);
        Assert.Equal(twins[0]["date_of_birth"], twins[1]["date_of_birth"]);
        Assert.Equal(twins[0]["postcode"], twins[1]["postcode"]);
        Assert.NotEqual(twins[0]["given_name"], twins[1]["given_name"]);
        Assert.NotEqual(twins[0]["nhs_number"], twins[1]["nhs_number"]);

        // Same name and DOB: two different people.
        var same = cases["same_name_dob"].Select(r => mpi[r["patient_id"]]).ToList();
        Assert.Equal(2, same.Count);
        Assert.Equal((same[0]["family_name"], same[0]["given_name"], same[0]["date_of_birth"]), (same[1]["family_name"], same[1]["given_name"], same[1]["date_of_birth"]));
        Assert.NotEqual(same[0]["patient_id"], same[1]["patient_id"]);

        // Not on the index: in truth, absent from mpi.csv.
        Assert.All(cases["not_on_index"], r =>
        {
            Assert.Equal("false", r["on_index"]);
            Assert.False(mpi.ContainsKey(r["patient_id"]));
        });
        Assert.All(_fixture.Truth.Where(r => r["on_index"] == "true"), r => Assert.True(mpi.ContainsKey(r["patient_id"])));
    }

    [Fact]
    public void Generate_DefaultOptions_ProducesEveryFormatAndExtension()
    {
        var formats = _fixture.Truth.Select(r => r["format"]).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(["jpeg", "pdf_image", "pdf_text", "png", "tiff_g4", "tiff_lzw", "tiff_none"], formats.Order(StringComparer.Ordinal));
        foreach (var row in _fixture.Truth)
        {
            string ext = Path.GetExtension(row["source_file"]);
            string expected = row["format"] switch
            {
                "png" => ".png",
                "jpeg" => ".jpg",
                "pdf_image" or "pdf_text" => ".pdf",
                _ => ".tif",
            };
            Assert.Equal(expected, ext);
            if (row["format"] is "png" or "jpeg")
            {
                Assert.Equal("1", row["pages"]);
            }

            byte[] head = File.ReadAllBytes(Path.Combine(_fixture.Directory, row["source_file"]))[..4];
            Assert.True(ext switch
            {
                ".png" => head[0] == 0x89 && head[1] == (byte)'P',
                ".jpg" => head[0] == 0xFF && head[1] == 0xD8,
                ".pdf" => head[0] == (byte)'%' && head[1] == (byte)'P',
                _ => head[0] == (byte)'I' && head[1] == (byte)'I' || head[0] == (byte)'M' && head[1] == (byte)'M',
            }, row["source_file"]);
        }
    }

    [Fact]
    public void Generate_DefaultOptions_TiffsHaveTheStatedPageCount()
    {
        var tiffs = _fixture.Truth.Where(r => r["format"].StartsWith("tiff", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(tiffs);
        Assert.Contains(tiffs, r => int.Parse(r["pages"], System.Globalization.CultureInfo.InvariantCulture) > 1);
        foreach (var row in tiffs)
        {
            int pages = int.Parse(row["pages"], System.Globalization.CultureInfo.InvariantCulture);
            byte[] bytes = File.ReadAllBytes(Path.Combine(_fixture.Directory, row["source_file"]));
            using (PageBitmap last = PageBitmap.Decode(bytes, SourceFormat.Tiff, pages - 1))
            {
                Assert.Equal(int.Parse(row["dpi"], System.Globalization.CultureInfo.InvariantCulture), last.Dpi);
                // G4 and uncompressed scans are bitonal, as scanners write them; LZW scans are greyscale.
                Assert.Equal(row["format"] is "tiff_g4" or "tiff_none" ? 1 : 8, last.Depth);
            }

            // What the truth file says: TIFF compression 4 is CCITT Group 4 (Leptonica's IFF_TIFF_G4 is 8; 6, once bound
            // here by mistake, wrote CCITT modified Huffman, compression 2), 5 LZW, 1 none.
            Assert.Equal(row["format"] switch { "tiff_g4" => 4, "tiff_lzw" => 5, _ => 1 }, TiffStructure.ReadPages(bytes)[0].Compression);

            Assert.Throws<InvalidDataException>(() => PageBitmap.Decode(bytes, SourceFormat.Tiff, pages).Dispose());
        }
    }

    [Fact]
    public void Generate_SameSeed_ByteIdenticalCsvsAndSameFileList()
    {
        string a = Path.Combine(Path.GetTempPath(), "digitise-samples-" + Guid.NewGuid().ToString("N"));
        string b = Path.Combine(Path.GetTempPath(), "digitise-samples-" + Guid.NewGuid().ToString("N"));
        try
        {
            SampleSet first = SampleGenerator.Generate(new SampleOptions { OutputDirectory = a, Documents = 12, Seed = 7 });
            SampleSet second = SampleGenerator.Generate(new SampleOptions { OutputDirectory = b, Documents = 12, Seed = 7 });
            Assert.Equal(File.ReadAllBytes(first.MpiCsv), File.ReadAllBytes(second.MpiCsv));
            Assert.Equal(File.ReadAllBytes(first.TruthCsv), File.ReadAllBytes(second.TruthCsv));
            Assert.Equal(Names(a), Names(b));

            // Raster outputs are deterministic too (PDFs may carry a timestamp, so only images are compared).
            foreach (string file in Names(a).Where(f => !f.EndsWith(".pdf", StringComparison.Ordinal)))
            {
                Assert.Equal(Hash(Path.Combine(a, file)), Hash(Path.Combine(b, file)));
            }

            SampleSet other = SampleGenerator.Generate(new SampleOptions { OutputDirectory = b, Documents = 12, Seed = 8 });
            Assert.NotEqual(File.ReadAllBytes(first.MpiCsv), File.ReadAllBytes(other.MpiCsv));
        }
        finally
        {
            Directory.Delete(a, recursive: true);
            Directory.Delete(b, recursive: true);
        }

        static string[] Names(string root) =>
            Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal).ToArray();

        static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
    }

    [Fact]
    public void Generate_TooFewDocuments_StillWritesTheFirstHardCases()
    {
        string dir = Path.Combine(Path.GetTempPath(), "digitise-samples-" + Guid.NewGuid().ToString("N"));
        try
        {
            SampleSet set = SampleGenerator.Generate(new SampleOptions { OutputDirectory = dir, Documents = 3, Seed = 3 });
            Assert.Equal(3, set.Documents.Count);
            Assert.Contains(set.Documents, d => d.HardCase == "twin");
            Assert.All(set.Documents, d => Assert.True(File.Exists(Path.Combine(dir, d.SourceFile))));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Generate_MissingOutputDirectory_Throws() =>
        Assert.Throws<ArgumentException>(() => SampleGenerator.Generate(new SampleOptions()));

    [Fact]
    public void Recognise_Clean300DpiLetterTiff_ContainsPatientsNhsNumber()
    {
        var mpi = _fixture.Mpi.ToDictionary(r => r["patient_id"], StringComparer.Ordinal);
        var row = _fixture.Truth.First(r => r["document_type"] == "clinic_letter" && r["format"] == "tiff_g4"
            && r["dpi"] == "300" && r["quality"] != "hard" && r["on_index"] == "true"
            && r["hard_case"] is not ("no_nhs_number" or "mpi_nhs_mistyped"));
        byte[] bytes = File.ReadAllBytes(Path.Combine(_fixture.Directory, row["source_file"]));
        using var engine = new TesseractEngine(new OcrOptions());
        OcrResult result = engine.Recognise(bytes, SourceFormat.Tiff);
        string digits = new(result.Text.Where(char.IsAsciiDigit).ToArray());
        Assert.Contains(mpi[row["patient_id"]]["nhs_number"], digits, StringComparison.Ordinal);
    }

    private static bool IsValidNhs(string nhs)
    {
        if (nhs.Length != 10 || !nhs.All(char.IsAsciiDigit))
        {
            return false;
        }

        int sum = 0;
        for (int i = 0; i < 9; i++)
        {
            sum += (nhs[i] - '0') * (10 - i);
        }

        int check = 11 - (sum % 11);
        check = check == 11 ? 0 : check;
        return check != 10 && check == nhs[9] - '0';
    }
}
