using Digitise.Domain;

namespace Digitise.Indexing.Tests;

public sealed class MpiCsvReaderTests
{
    [Fact]
    public void Read_ColumnsInAnyOrder_MapsByHeaderName()
    {
        const string csv = """
            family_name,patient_id,extra,date_of_birth,nhs_number,given_name,hospital_number,sex,postcode,address
            O'Neill,P1,x,1948-07-02,943 476 5919,Margaret,rxh 1234567,female,ls82ab,"14 Harehills Lane, Leeds"
            """;

        MpiReadResult result = MpiCsvReader.Read(new StringReader(csv));

        Patient patient = Assert.Single(result.Patients);
        Assert.Equal(
            new Patient("P1", "9434765919", "RXH1234567", "O'NEILL", "MARGARET", new DateOnly(1948, 7, 2), "F", "LS8 2AB", "14 Harehills Lane, Leeds"),
            patient);
        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Read_QuotedNewlinesAndQuotes_KeepsFieldsAndCountsPhysicalLines()
    {
        const string csv = "patient_id,family_name,given_name,address\r\n"
            + "P1,SMITH,John,\"Flat 2,\r\n3 Hyde Park Road\"\r\n"
            + "P2,\"O\"\"BRIEN\",Pat,\"The \"\"Old\"\" Mill\"\r\n"
            + ",JONES,Peter,\r\n";

        MpiReadResult result = MpiCsvReader.Read(new StringReader(csv));

        Assert.Equal(["P1", "P2"], result.Patients.Select(p => p.PatientId));
        Assert.Equal("Flat 2,\r\n3 Hyde Park Road", result.Patients[0].Address);
        Assert.Equal("O\"BRIEN", result.Patients[1].FamilyName);
        Assert.Equal("The \"Old\" Mill", result.Patients[1].Address);
        MpiRowIssue error = Assert.Single(result.Errors);
        Assert.Equal(new MpiRowIssue(5, "missing patient_id"), error);
    }

    [Fact]
    public void Read_BadRows_ReportedByLineNumberWithReason()
    {
        const string csv = """
            patient_id,nhs_number,family_name,given_name,date_of_birth
            P1,9434765919,SMITH,John,1948-07-02
            P2,,JONES,Peter,02/07/1948
            P3,,BROWN,Mary,1948-02-30

            P4,,GREEN,Ann
            P1,,WHITE,Sue,1950-01-01
            P5,9434765918,BLACK,Tom,1960-05-05
            P6,12345,GREY,Jo,
            P7,"unterminated,x,y,z
            """;

        MpiReadResult result = MpiCsvReader.Read(new StringReader(csv));

        Assert.Equal(["P1", "P5", "P6"], result.Patients.Select(p => p.PatientId));
        Assert.Equal(
            [
                new MpiRowIssue(3, "bad date_of_birth: expected yyyy-MM-dd"),
                new MpiRowIssue(4, "bad date_of_birth: expected yyyy-MM-dd"),
                new MpiRowIssue(6, "expected 5 fields, found 4"),
                new MpiRowIssue(7, "duplicate patient_id"),
                new MpiRowIssue(10, "unterminated quoted field"),
            ],
            result.Errors);
        Assert.Equal(
            [new MpiRowIssue(8, "nhs_number fails the check digit: kept as given"), new MpiRowIssue(9, "nhs_number is not ten digits: ignored")],
            result.Warnings);
        Assert.Equal("9434765918", result.Patients[1].NhsNumber);
        Assert.Null(result.Patients[2].NhsNumber);
    }

    [Fact]
    public void Read_NoPatientIdColumn_Throws() =>
        Assert.Throws<InvalidDataException>(() => MpiCsvReader.Read(new StringReader("nhs_number,family_name\n9434765919,SMITH\n")));

    [Fact]
    public void Read_EmptyFile_Throws() =>
        Assert.Throws<InvalidDataException>(() => MpiCsvReader.Read(new StringReader(string.Empty)));

    [Fact]
    public void ReadFile_WithByteOrderMark_ReadsHeader()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mpi-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "patient_id,family_name\nP1,Smith\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        try
        {
            Assert.Equal("SMITH", Assert.Single(MpiCsvReader.ReadFile(path).Patients).FamilyName);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

public sealed class InMemoryPatientIndexTests
{
    private static readonly InMemoryPatientIndex Index = new(
    [
        new Patient("P1", "9434765919", "RXH1234567", "O'NEILL", "MARGARET", new DateOnly(1948, 7, 2), "F", null, null),
        new Patient("P2", null, "K123456", "MACDONALD", "ANGUS", new DateOnly(1948, 7, 2), "M", null, null),
        new Patient("P3", "4010232137", null, "SMITH-JONES", "PETER", null, null, null, null),
    ]);

    [Fact]
    public void Find_NormalisedKeys_FindsPatients()
    {
        Assert.Equal(3, Index.Count);
        Assert.Equal("P1", Assert.Single(Index.FindByNhsNumber("943 476 5919")).PatientId);
        Assert.Equal("P1", Assert.Single(Index.FindByHospitalNumber("rxh 1234567")).PatientId);
        Assert.Equal(["P1", "P2"], Index.FindByDateOfBirth(new DateOnly(1948, 7, 2)).Select(p => p.PatientId));
        Assert.Equal("P1", Assert.Single(Index.FindByFamilyName("O Neill")).PatientId);
        Assert.Equal("P2", Assert.Single(Index.FindByFamilyName("McDonald")).PatientId);
        Assert.Equal("P3", Assert.Single(Index.FindByFamilyName("Smith Jones")).PatientId);
        Assert.Equal("P3", Index.Get("P3")?.PatientId);
    }

    [Fact]
    public void Find_Unknown_ReturnsEmpty()
    {
        Assert.Empty(Index.FindByNhsNumber("4505577104"));
        Assert.Empty(Index.FindByNhsNumber("not a number"));
        Assert.Empty(Index.FindByFamilyName(string.Empty));
        Assert.Null(Index.Get("P9"));
    }

    [Fact]
    public void Constructor_DuplicatePatientId_Throws() =>
        Assert.Throws<ArgumentException>(() => new InMemoryPatientIndex(
            [new Patient("P1", null, null, "A", "B", null, null, null, null), new Patient("P1", null, null, "C", "D", null, null, null, null)]));
}
