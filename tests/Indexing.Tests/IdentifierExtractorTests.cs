using Digitise.Domain;

namespace Digitise.Indexing.Tests;

public sealed class IdentifierExtractorTests
{
    private const string Letter = """
        Leeds Teaching Hospitals NHS Trust
        St James's University Hospital, Beckett Street, Leeds LS9 7TF
        12 March 2024
        Dr A Patel
        Hyde Park Surgery
        Dear Dr Patel
        Re: Mrs Margaret O'NEILL, DOB 02.07.48, NHS No 943 476 5919
        14 Harehills Lane, Leeds LS8 4AB
        Thank you for seeing this lady, who was born in Cork and moved to Leeds in 1970.
        """;

    private const string DischargeSummary = """
        DISCHARGE SUMMARY
        Patient Name: John Smith
        Date of Birth: 2-Jul-1948 Sex: Male
        NHS Number: 943-476-5919
        Hospital No: RXH1234567
        Address: 3 Hyde Park Road, Leeds, LS6 2QJ
        Date of discharge: 05/03/2024
        Consultant: Dr R JONES
        GP Name: Dr A Patel
        """;

    private const string Addressograph = "SMITH, John  DOB: 02/07/1948  NHS No: 943 476 5919  Hosp No: RXH1234567";

    private const string LabReport = """
        LEEDS PATHOLOGY - CLINICAL CHEMISTRY
        Surname: McDONALD Forename(s): Mary Ann
        D.O.B.: 15/11/1990 Sex: F
        NHS No.: 9434765918 MRN: K123456
        Date reported: 04/03/2024
        Sodium 140 mmol/L Potassium 4.1 mmol/L
        """;

    private static readonly IdentifierExtractor Extractor = new(timeProvider: new FixedTime(new DateOnly(2024, 6, 1)));

    [Fact]
    public void Extract_LetterReHeader_ReadsNameDobNhsAndLetterDate()
    {
        IReadOnlyList<ExtractedIdentifier> ids = Extractor.Extract(TestPages.Document(Letter));

        Assert.Equal("O'NEILL", Single(ids, IdentifierKind.FamilyName).Value);
        Assert.Equal("MARGARET", Single(ids, IdentifierKind.GivenName).Value);
        Assert.Equal("1948-07-02", Single(ids, IdentifierKind.DateOfBirth).Value);
        Assert.Equal("2024-03-12", Single(ids, IdentifierKind.DocumentDate).Value);
        ExtractedIdentifier nhs = Single(ids, IdentifierKind.NhsNumber);
        Assert.Equal("9434765919", nhs.Value);
        Assert.Equal("943 476 5919", nhs.Raw);
        Assert.True(nhs.IsValid);
        Assert.Equal(["LS9 7TF", "LS8 4AB"], ids.Where(i => i.Kind == IdentifierKind.Postcode).Select(i => i.Value));
    }

    [Fact]
    public void Extract_DischargeSummary_ReadsLabelledFields()
    {
        IReadOnlyList<ExtractedIdentifier> ids = Extractor.Extract(TestPages.Document(DischargeSummary));

        Assert.Equal("SMITH", Single(ids, IdentifierKind.FamilyName).Value);
        Assert.Equal("JOHN", Single(ids, IdentifierKind.GivenName).Value);
        Assert.Equal("1948-07-02", Single(ids, IdentifierKind.DateOfBirth).Value);
        Assert.Equal("M", Single(ids, IdentifierKind.Sex).Value);
        Assert.Equal("9434765919", Single(ids, IdentifierKind.NhsNumber).Value);
        Assert.Equal("RXH1234567", Single(ids, IdentifierKind.HospitalNumber).Value);
        Assert.Equal("LS6 2QJ", Single(ids, IdentifierKind.Postcode).Value);
        Assert.Equal("2024-03-05", Single(ids, IdentifierKind.DocumentDate).Value);
    }

    [Fact]
    public void Extract_AddressographLine_ReadsEveryFieldWithItsWordBoxes()
    {
        IReadOnlyList<ExtractedIdentifier> ids = Extractor.Extract(TestPages.Document(Addressograph));

        // Words: SMITH, John DOB: 02/07/1948 NHS No: 943 476 5919 Hosp No: RXH1234567
        Assert.Equal([TestPages.BoxFor(0, 0)], Single(ids, IdentifierKind.FamilyName).Boxes);
        Assert.Equal("SMITH", Single(ids, IdentifierKind.FamilyName).Value);
        Assert.Equal([TestPages.BoxFor(0, 1)], Single(ids, IdentifierKind.GivenName).Boxes);
        Assert.Equal("JOHN", Single(ids, IdentifierKind.GivenName).Value);
        Assert.Equal([TestPages.BoxFor(0, 3)], Single(ids, IdentifierKind.DateOfBirth).Boxes);
        Assert.Equal([TestPages.BoxFor(0, 6), TestPages.BoxFor(0, 7), TestPages.BoxFor(0, 8)], Single(ids, IdentifierKind.NhsNumber).Boxes);
        Assert.Equal([TestPages.BoxFor(0, 11)], Single(ids, IdentifierKind.HospitalNumber).Boxes);
        Assert.All(ids, id => Assert.Equal(1, id.PageNumber));
    }

    [Fact]
    public void Extract_LabReport_KeepsNhsNumberThatFailsCheck()
    {
        IReadOnlyList<ExtractedIdentifier> ids = Extractor.Extract(TestPages.Document(LabReport));

        ExtractedIdentifier nhs = Single(ids, IdentifierKind.NhsNumber);
        Assert.Equal("9434765918", nhs.Value);
        Assert.False(nhs.IsValid);
        Assert.Equal("MCDONALD", Single(ids, IdentifierKind.FamilyName).Value);
        Assert.Equal("MARY", Single(ids, IdentifierKind.GivenName).Value);
        Assert.Equal("1990-11-15", Single(ids, IdentifierKind.DateOfBirth).Value);
        Assert.Equal("F", Single(ids, IdentifierKind.Sex).Value);
        Assert.Equal("K123456", Single(ids, IdentifierKind.HospitalNumber).Value);
        Assert.Equal("2024-03-04", Single(ids, IdentifierKind.DocumentDate).Value);
    }

    [Theory]
    [InlineData("NHS No: 943 476 5919")]
    [InlineData("NHS No.: 943-476-5919")]
    [InlineData("nhs number 9434765919")]
    [InlineData("N.H.S. No. 943 476 5919")]
    [InlineData("NHS NO; 943 4765919")]
    [InlineData("NHS No. : 943 476 5919")]
    [InlineData("NHS N0: 943 476 5919")]
    [InlineData("Ref 943 476 5919")]
    public void Extract_NhsNumberForms_ReadsTenDigits(string line)
    {
        ExtractedIdentifier nhs = Single(Extractor.Extract(TestPages.Document(line)), IdentifierKind.NhsNumber);
        Assert.Equal("9434765919", nhs.Value);
        Assert.True(nhs.IsValid);
    }

    [Fact]
    public void Extract_UnlabelledNumberFailingCheck_Ignored() =>
        Assert.DoesNotContain(Extractor.Extract(TestPages.Document("Tel 012 345 6780")), i => i.Kind == IdentifierKind.NhsNumber);

    [Theory]
    [InlineData("DOB: 02/07/1948", "1948-07-02")]
    [InlineData("D.O.B. 02.07.48", "1948-07-02")]
    [InlineData("D0B : 02/07/1948", "1948-07-02")]
    [InlineData("Date of Birth 2-Jul-1948", "1948-07-02")]
    [InlineData("dob 2 July 1948", "1948-07-02")]
    [InlineData("Born: 02-07-1948", "1948-07-02")]
    [InlineData("DOB: 3rd Sept 2019", "2019-09-03")]
    [InlineData("DOB 01/02/10", "2010-02-01")]
    public void Extract_DateOfBirthForms_ReadsIsoDate(string line, string expected) =>
        Assert.Equal(expected, Single(Extractor.Extract(TestPages.Document(line)), IdentifierKind.DateOfBirth).Value);

    [Fact]
    public void Extract_TwoDigitYearAfterDocumentDate_ResolvesToPreviousCentury()
    {
        IReadOnlyList<ExtractedIdentifier> ids = Extractor.Extract(TestPages.Document("Date: 01/01/2005\nDOB: 01/02/10"));
        Assert.Equal("1910-02-01", Single(ids, IdentifierKind.DateOfBirth).Value);
    }

    [Theory]
    [InlineData("DOB: 31/02/1948")]
    [InlineData("DOB: unknown")]
    [InlineData("She was born in Leeds")]
    public void Extract_NoValidDateOfBirth_ReturnsNone(string line) =>
        Assert.DoesNotContain(Extractor.Extract(TestPages.Document(line)), i => i.Kind == IdentifierKind.DateOfBirth);

    [Theory]
    [InlineData("Name: SMITH, John", "SMITH", "JOHN")]
    [InlineData("Patient: Mr John SMITH", "SMITH", "JOHN")]
    [InlineData("Patient Name: John Smith", "SMITH", "JOHN")]
    [InlineData("Re: Miss Siobhan O’Neill-Jones", "O'NEILL-JONES", "SIOBHAN")]
    [InlineData("Name - Dr. Angus MacDONALD", "MACDONALD", "ANGUS")]
    [InlineData("Re: SMITH John", "SMITH", "JOHN")]
    [InlineData("Name: Mrs Ann-Marie van der Berg", "VAN DER BERG", "ANN-MARIE")]
    [InlineData("Re: John SMITH, 12 High Street", "SMITH", "JOHN")]
    [InlineData("Family name: Patel Given name: Priya", "PATEL", "PRIYA")]
    public void Extract_NameForms_ReadsFamilyAndGivenNames(string line, string family, string given)
    {
        IReadOnlyList<ExtractedIdentifier> ids = Extractor.Extract(TestPages.Document(line));
        Assert.Equal(family, Single(ids, IdentifierKind.FamilyName).Value);
        Assert.Equal(given, Single(ids, IdentifierKind.GivenName).Value);
    }

    [Theory]
    [InlineData("GP Name: Dr A Patel")]
    [InlineData("Consultant Name: Mr R Jones")]
    [InlineData("The patient was seen today")]
    [InlineData("Name of ward: Ward 4")]
    public void Extract_NotAPatientName_ReturnsNoName(string line) =>
        Assert.DoesNotContain(Extractor.Extract(TestPages.Document(line)), i => i.Kind is IdentifierKind.FamilyName or IdentifierKind.GivenName);

    [Fact]
    public void Extract_HospitalNumberNotMatchingPattern_ReadUnderItsLabelLessSurely()
    {
        // Patterns are hints, not gates (issue 11): under a hospital-number label another trust's format is still read.
        IReadOnlyList<ExtractedIdentifier> ids = Extractor.Extract(TestPages.Document("Hospital Number: H/123456/7\nMRN: RXH1234567\nHosp No: see letter"));
        ExtractedIdentifier other = Assert.Single(ids, i => i.Kind == IdentifierKind.HospitalNumber && i.Value == "H1234567");
        ExtractedIdentifier configured = Assert.Single(ids, i => i.Kind == IdentifierKind.HospitalNumber && i.Value == "RXH1234567");
        Assert.True(other.Confidence < configured.Confidence);
        Assert.Equal(2, ids.Count(i => i.Kind == IdentifierKind.HospitalNumber));
    }

    [Fact]
    public void Extract_ConfiguredHospitalPattern_ReadsLocalFormat()
    {
        var extractor = new IdentifierExtractor(new IdentifierOptions { HospitalNumberPatterns = [@"^\d{2}[A-Z]\d{5}$"] });
        IReadOnlyList<ExtractedIdentifier> ids = extractor.Extract(TestPages.Document("Unit No: 12x34567 Case Note No: RXH1234567"));
        ExtractedIdentifier local = Assert.Single(ids, i => i.Kind == IdentifierKind.HospitalNumber && i.Value == "12X34567");
        ExtractedIdentifier unconfigured = Assert.Single(ids, i => i.Kind == IdentifierKind.HospitalNumber && i.Value == "RXH1234567");
        Assert.True(unconfigured.Confidence < local.Confidence);
    }

    [Fact]
    public void Constructor_BadHospitalPattern_ThrowsNamingTheSetting()
    {
        var ex = Assert.Throws<ArgumentException>(() => new IdentifierExtractor(new IdentifierOptions { HospitalNumberPatterns = ["[A-"] }));
        Assert.Contains("HospitalNumberPatterns[0]", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Address: 1 Main St, Leeds ls6 2qj", 0)]
    [InlineData("Address: No fixed abode ZZ99 3VZ", 1)]
    [InlineData("Leeds LS62QJ", 1)]
    [InlineData("Leeds LS6 2QC", 0)]
    public void Extract_Postcodes_ReadsUpperCaseWithOneSpace(string line, int expected)
    {
        var postcodes = Extractor.Extract(TestPages.Document(line)).Where(i => i.Kind == IdentifierKind.Postcode).ToList();
        Assert.Equal(expected, postcodes.Count);
        Assert.All(postcodes, p => Assert.Matches("^[A-Z0-9]{2,4} [0-9][A-Z]{2}$", p.Value));
    }

    [Fact]
    public void Extract_LaterPageSticker_SetsPageNumber()
    {
        IReadOnlyList<ExtractedIdentifier> ids = Extractor.Extract(TestPages.Document(
            "Continuation sheet\nObservations stable overnight.",
            "Nursing notes\n" + Addressograph));

        ExtractedIdentifier nhs = Single(ids, IdentifierKind.NhsNumber);
        Assert.Equal(2, nhs.PageNumber);
        Assert.Equal([TestPages.BoxFor(1, 6), TestPages.BoxFor(1, 7), TestPages.BoxFor(1, 8)], nhs.Boxes);
    }

    [Fact]
    public void Extract_AddressographNameOnLineAbove_ReadsName()
    {
        IReadOnlyList<ExtractedIdentifier> ids = Extractor.Extract(TestPages.Document("SMITH, John\nDOB: 02/07/1948 NHS No: 943 476 5919"));
        Assert.Equal("SMITH", Single(ids, IdentifierKind.FamilyName).Value);
        Assert.Equal("JOHN", Single(ids, IdentifierKind.GivenName).Value);
    }

    [Fact]
    public void Extract_DocumentNamingTwoPatients_ReturnsBothSets()
    {
        IReadOnlyList<ExtractedIdentifier> ids = Extractor.Extract(TestPages.Document(
            Addressograph + "\nSeen with her brother.\nName: Peter JONES DOB: 15/11/1950 NHS No: 401 023 2137"));

        Assert.Equal(["SMITH", "JONES"], ids.Where(i => i.Kind == IdentifierKind.FamilyName).Select(i => i.Value).Order(StringComparer.Ordinal).Reverse());
        Assert.Equal(2, ids.Count(i => i.Kind == IdentifierKind.NhsNumber));
        Assert.Equal(2, ids.Count(i => i.Kind == IdentifierKind.DateOfBirth));
    }

    [Fact]
    public void Extract_LowConfidenceWord_LowersIdentifierConfidence()
    {
        PageText page = TestPages.Page("NHS No: 943 476 5919", confidences: new Dictionary<string, float> { ["476"] = 41 });
        var document = TestPages.Document("x") with { Pages = [page] };
        Assert.Equal(0.41, Single(Extractor.Extract(document), IdentifierKind.NhsNumber).Confidence, 3);
    }

    [Fact]
    public void Extract_ScotlandUnlabelledChi_ReadsChiNumber()
    {
        var extractor = new IdentifierExtractor(new IdentifierOptions { Region = IdentifierRegion.Scotland });
        IReadOnlyList<ExtractedIdentifier> ids = extractor.Extract(TestPages.Document("Mary BROWN 0207481202", "CHI: 020748 1202"));
        Assert.Equal([1, 2], ids.Where(i => i.Kind == IdentifierKind.ChiNumber).Select(i => i.PageNumber));
        Assert.All(ids.Where(i => i.Kind == IdentifierKind.ChiNumber), i => Assert.Equal("0207481202", i.Value));
        Assert.DoesNotContain(ids, i => i.Kind == IdentifierKind.NhsNumber);
    }

    [Fact]
    public void Extract_EmptyDocument_ReturnsNothing() =>
        Assert.Empty(Extractor.Extract(TestPages.Document(string.Empty)));

    private static ExtractedIdentifier Single(IReadOnlyList<ExtractedIdentifier> ids, IdentifierKind kind) =>
        Assert.Single(ids, i => i.Kind == kind);

    private sealed class FixedTime(DateOnly today) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(today.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
    }
}
