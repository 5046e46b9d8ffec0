using Digitise.Domain;

namespace Digitise.Export.Tests;

/// <summary>
/// The National Document Repository's checks on a Lloyd George bulk upload, one test per way a patient's set is
/// refused, and the plan that leaves refused patients out while the rest go.
/// </summary>
public sealed class NdrBulkUploadTests
{
    private static readonly Patient Edith = new("P1", "3262723444", "RXH1", "MCKENZIE", "EDITH MARY", new DateOnly(1940, 6, 13), "F", null, null)
    {
        PreviousFamilyName = "JONES",
    };

    private static readonly ExportOptions Options = new() { GpPracticeCode = "B86016", ScanIdPrefix = "S-" };

    private static string Name(int n, int m, string name = "Edith Mckenzie", string nhs = "3262723444", string dob = "13-06-1940") =>
        $"{n}of{m}_Lloyd_George_Record_[{name}]_[{nhs}]_[{dob}].pdf";

    [Fact]
    public void Validate_CompleteSetMatchingTheIndex_Accepted()
    {
        Assert.Null(NdrBulkUpload.Validate([Name(1, 3), Name(2, 3), Name(3, 3)], Edith));
        Assert.Equal("1of2_Lloyd_George_Record_[Edith Mary Mckenzie]_[3262723444]_[13-06-1940].pdf", NdrBulkUpload.FileName(1, 2, Edith));
        Assert.Null(NdrBulkUpload.Validate([NdrBulkUpload.FileName(1, 1, Edith)], Edith));
    }

    [Theory]
    [InlineData("1of1_Lloyd_George_Record_[Edith Mckenzie]_[3262723444]_[1940-06-13].pdf")] // ISO date
    [InlineData("1of1_Lloyd_George_Record_[Edith Mckenzie]_[326272344]_[13-06-1940].pdf")] // nine digits
    [InlineData("1of1_Lloyd_George_Record_[Edith McKenzie 2]_[3262723444]_[13-06-1940].pdf")] // digit in the name
    [InlineData("1of1_Lloyd_George_Record_[Edith Mckenzie]_[3262723444]_[13-06-1940].tif")] // not a PDF
    [InlineData("0of1_Lloyd_George_Record_[Edith Mckenzie]_[3262723444]_[13-06-1940].pdf")] // parts count from 1
    [InlineData("1of1_Lloyd_George_[Edith Mckenzie]_[3262723444]_[13-06-1940].pdf")]
    public void Validate_NameNotInTheConvention_Refused(string fileName)
    {
        Assert.StartsWith("file name does not match", NdrBulkUpload.Validate([fileName], Edith), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingPart_RefusedNamingIt()
    {
        Assert.Equal("set incomplete: 2 of 3 files (missing 2)", NdrBulkUpload.Validate([Name(1, 3), Name(3, 3)], Edith));
    }

    [Fact]
    public void Validate_DuplicateOrExtraPart_Refused()
    {
        Assert.Equal("two files have the same name", NdrBulkUpload.Validate([Name(1, 2), Name(1, 2)], Edith));
        Assert.StartsWith("set is not 1..2", NdrBulkUpload.Validate([Name(1, 2), Name(2, 2), Name(3, 2)], Edith), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FilesDisagreeOnTotalOrPatient_Refused()
    {
        Assert.StartsWith("file names do not agree", NdrBulkUpload.Validate([Name(1, 2), Name(2, 3)], Edith), StringComparison.Ordinal);
        Assert.StartsWith("file names do not agree", NdrBulkUpload.Validate([Name(1, 2), Name(2, 2, dob: "14-06-1940")], Edith), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NhsNumberFailsModulus11_Refused()
    {
        Patient mistyped = Edith with { NhsNumber = "3262723445" };
        Assert.Equal("NHS number 3262723445 fails the modulus 11 check", NdrBulkUpload.Validate([Name(1, 1, nhs: "3262723445")], mistyped));
    }

    [Fact]
    public void Validate_AnotherPatientsNhsNumber_Refused()
    {
        Assert.Equal("NHS number 9434765919 is not the patient's", NdrBulkUpload.Validate([Name(1, 1, nhs: "9434765919")], Edith));
    }

    [Fact]
    public void Validate_DateOfBirthDisagreesWithIndex_Refused()
    {
        Assert.Equal("date of birth does not match the index", NdrBulkUpload.Validate([Name(1, 1, dob: "31-06-1940")], Edith));
        Assert.Equal("date of birth does not match the index", NdrBulkUpload.Validate([Name(1, 1, dob: "06-13-1940")], Edith));
        Assert.Equal("date of birth does not match the index", NdrBulkUpload.Validate([Name(1, 1)], Edith with { DateOfBirth = new DateOnly(1940, 6, 14) }));
    }

    [Theory]
    [InlineData("Edith Mckenzie", true, true)]
    [InlineData("EDITH MARY McKENZIE", true, true)]
    [InlineData("Édith Mckénzie", true, true)] // accents folded
    [InlineData("Edith Jones", true, true)] // previous family name
    [InlineData("Mckenzie Edith", false, true)] // surname first: only the lenient check passes
    [InlineData("Mary Edith Mckenzie", false, true)]
    [InlineData("Edith Mckenzie-Smith", false, true)]
    [InlineData("Edna Mckenzie", false, false)]
    [InlineData("Edith Mckenzy", false, false)]
    public void NameMatches_StrictThenLenient(string fileName, bool strict, bool lenient)
    {
        Assert.Equal(strict, NdrBulkUpload.NameMatches(fileName, Edith, strict: true));
        Assert.Equal(lenient, NdrBulkUpload.NameMatches(fileName, Edith, strict: false));
        Assert.Equal(lenient ? null : $"name '{fileName}' does not match the index", NdrBulkUpload.Validate([Name(1, 1, name: fileName)], Edith));
    }

    [Fact]
    public void Plan_LeavesOutRefusedPatientsWithReasonsAndNamesTheRest()
    {
        Patient arthur = new("P2", "3478971515", null, "ACKROYD", "ARTHUR", new DateOnly(2008, 5, 23), "M", null, null);
        Patient noNumber = new("P3", null, "RXH3", "LEE", "ANN", new DateOnly(1970, 1, 1), "F", null, null);
        Patient waiting = new("P4", "9434765919", null, "SMITH", "JOHN", new DateOnly(1980, 2, 3), "M", null, null);
        Patient bracketed = new("P5", "4010232137", null, "SMITH (DECEASED)", "PAT", new DateOnly(1990, 4, 5), "M", null, null);
        var patients = new[] { Edith, arthur, noNumber, waiting, bracketed }.ToDictionary(p => p.PatientId);
        var scan = new DateOnly(2026, 11, 29);
        NdrDocument[] documents =
        [
            new("d1", "P1", "a/d1.pdf", 2, scan), new("d2", "P2", "a/d2.pdf", 1, scan), new("d3", "P1", "a/d3.pdf", 3, scan),
            new("d4", "P3", "a/d4.pdf", 1, scan), new("d5", "P4", "a/d5.pdf", 1, scan), new("d6", "P9", "a/d6.pdf", 1, scan),
            new("d7", "P5", "a/d7.pdf", 1, scan),
        ];

        NdrUploadPlan plan = NdrBulkUpload.Plan(documents, patients, new Dictionary<string, string> { ["P4"] = "document d8 is waiting for verification" }, Options);

        Assert.Equal(
            ["3262723444/1of2_Lloyd_George_Record_[Edith Mary Mckenzie]_[3262723444]_[13-06-1940].pdf", "3262723444/2of2_Lloyd_George_Record_[Edith Mary Mckenzie]_[3262723444]_[13-06-1940].pdf"],
            plan.Files.Select(f => f.RelativePath));
        Assert.Equal(["d1", "d3"], plan.Files.Select(f => f.Document.DocumentId));
        Assert.Equal(
            [
                ("P2", "NHS number 3478971515 fails the modulus 11 check"),
                ("P3", "no NHS number on the index"),
                ("P4", "record incomplete: document d8 is waiting for verification"),
                ("P9", "patient is not on the index"),
                ("P5", "file name does not match the Lloyd George naming convention: 1of1_Lloyd_George_Record_[Pat Smith (Deceased)]_[4010232137]_[05-04-1990].pdf"),
            ],
            plan.Rejections.Select(r => (r.PatientId, r.Reason)));

        string[] lines = NdrBulkUpload.Metadata(plan.Files, Options, new DateOnly(2026, 11, 30)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(NdrBulkUpload.MetadataHeader, lines[0]);
        Assert.Equal("3262723444/2of2_Lloyd_George_Record_[Edith Mary Mckenzie]_[3262723444]_[13-06-1940].pdf,3,B86016,3262723444,LG,,29/11/2026,S-d3,digitise,30/11/2026", lines[2]);
    }

    [Fact]
    public void Plan_NoPracticeCode_FailsNamingTheSetting()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => NdrBulkUpload.Plan([], new Dictionary<string, Patient>(), new Dictionary<string, string>(), new ExportOptions()));
        Assert.Contains("Export:GpPracticeCode", ex.Message, StringComparison.Ordinal);
    }
}
