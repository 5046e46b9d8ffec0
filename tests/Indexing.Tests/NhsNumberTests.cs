using Digitise.Domain;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Digitise.Indexing.Tests;

public sealed class NhsNumberTests
{
    public static TheoryData<string> ValidNumbers =>
    [
        "9434765919", "4010232137", "4505577104", "9876543210", "9999999999", "1860913903", "9960308243", "6281948211",
        "9935181901", "9378657974", "5432319489", "2527601898", "5559797111", "5075291708", "3423667125", "7684268465",
        "5632122336", "0830166130", "9729975280",
    ];

    public static TheoryData<string> InvalidNumbers =>
    [
        "9434765918", "9434765910", "9434765991", "4934765919", "9434756919", "1234567890", "0000000001", "4010232138",
        "9876543211", "5260181590", "5260181591", "7574911860", "4710497460", "6589481130",
    ];

    [Theory]
    [MemberData(nameof(ValidNumbers))]
    public void IsValid_ValidNumber_ReturnsTrue(string number) => Assert.True(NhsNumber.IsValid(number));

    [Theory]
    [MemberData(nameof(InvalidNumbers))]
    public void IsValid_WrongCheckDigit_ReturnsFalse(string number) => Assert.False(NhsNumber.IsValid(number));

    [Theory]
    [InlineData("943 476 5919")]
    [InlineData("943-476-5919")]
    [InlineData(" 9434765919 ")]
    [InlineData("94347 65919")]
    public void TryNormalize_PrintedForms_ReturnsTenDigits(string text)
    {
        Assert.True(NhsNumber.TryNormalize(text, out string? digits));
        Assert.Equal("9434765919", digits);
        Assert.True(NhsNumber.IsValid(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("943476591")]
    [InlineData("94347659190")]
    [InlineData("943 476 591O")]
    [InlineData("943/476/5919")]
    public void TryNormalize_NotTenDigits_ReturnsFalse(string? text)
    {
        Assert.False(NhsNumber.TryNormalize(text, out _));
        Assert.False(NhsNumber.IsValid(text));
    }

    [Theory]
    [InlineData("526018159")]
    [InlineData("757491186")]
    [InlineData("471049746")]
    [InlineData("658948113")]
    public void ComputeCheckDigit_CheckValueTen_ReturnsNull(string nineDigits) =>
        Assert.Null(NhsNumber.ComputeCheckDigit(nineDigits));

    [Theory]
    [InlineData("943476591", 9)]
    [InlineData("083016613", 0)]
    [InlineData("401023213", 7)]
    public void ComputeCheckDigit_NineDigits_ReturnsCheckDigit(string nineDigits, int expected) =>
        Assert.Equal(expected, NhsNumber.ComputeCheckDigit(nineDigits));

    [Theory]
    [InlineData("94347659")]
    [InlineData("94347659A")]
    public void ComputeCheckDigit_NotNineDigits_Throws(string input) =>
        Assert.Throws<ArgumentException>(() => NhsNumber.ComputeCheckDigit(input));

    [Fact]
    public void Format_TenDigits_PrintsThreeThreeFour() => Assert.Equal("943 476 5919", NhsNumber.Format("9434765919"));

    [Property(MaxTest = 500)]
    public Property ComputeCheckDigit_AnyNineDigits_RoundTripsThroughIsValid() =>
        Prop.ForAll(NineDigits(), nine =>
        {
            int? check = NhsNumber.ComputeCheckDigit(nine);
            bool anyValid = Enumerable.Range(0, 10).Any(d => NhsNumber.IsValid(nine + d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return check is { } c
                ? NhsNumber.IsValid(nine + (char)('0' + c)) && c is >= 0 and <= 9
                : !anyValid;
        });

    [Property(MaxTest = 500)]
    public Property IsValid_SingleChangedDigit_NeverValidates() =>
        Prop.ForAll(ValidNumber(), Gen.Choose(0, 9).ToArbitrary(), Gen.Choose(1, 9).ToArbitrary(), (number, position, delta) =>
        {
            char[] changed = number.ToCharArray();
            changed[position] = (char)('0' + (((changed[position] - '0') + delta) % 10));
            return !NhsNumber.IsValid(new string(changed));
        });

    private static Arbitrary<string> NineDigits() =>
        Gen.ArrayOf(Gen.Choose(0, 9), 9).Select(ds => string.Concat(ds)).ToArbitrary();

    private static Arbitrary<string> ValidNumber() =>
        Gen.ArrayOf(Gen.Choose(0, 9), 9)
            .Select(ds => string.Concat(ds))
            .Where(nine => NhsNumber.ComputeCheckDigit(nine) is not null)
            .Select(nine => nine + (char)('0' + NhsNumber.ComputeCheckDigit(nine)!.Value))
            .ToArbitrary();
}

public sealed class ChiNumberTests
{
    [Theory]
    [InlineData("0207481202", 1948, 7, 2, "F")]
    [InlineData("1511904518", 1990, 11, 15, "M")]
    [InlineData("2902923007", 1992, 2, 29, "F")]
    public void TryGetDateOfBirth_ValidChi_ReturnsDateAndSex(string chi, int year, int month, int day, string sex)
    {
        Assert.True(ChiNumber.IsValid(chi));
        Assert.True(ChiNumber.TryGetDateOfBirth(chi, new DateOnly(2024, 1, 1), out DateOnly dob));
        Assert.Equal(new DateOnly(year, month, day), dob);
        Assert.Equal(sex, ChiNumber.GetSex(chi));
    }

    [Fact]
    public void TryGetDateOfBirth_TwoDigitYear_NotAfterReferenceDate()
    {
        Assert.True(ChiNumber.TryGetDateOfBirth("0207481202", new DateOnly(2050, 1, 1), out DateOnly late));
        Assert.Equal(new DateOnly(2048, 7, 2), late);
        Assert.True(ChiNumber.TryGetDateOfBirth("0207481202", new DateOnly(2048, 7, 1), out DateOnly early));
        Assert.Equal(new DateOnly(1948, 7, 2), early);
    }

    [Theory]
    [InlineData("31024812")]
    [InlineData("29029330")]
    [InlineData("00139045")]
    [InlineData("15139045")]
    public void IsValid_ImpossibleDate_ReturnsFalse(string eightDigits)
    {
        string chi = WithSexAndCheckDigit(eightDigits);
        Assert.True(NhsNumber.IsValid(chi));
        Assert.False(ChiNumber.IsValid(chi));
        Assert.False(ChiNumber.TryGetDateOfBirth(chi, new DateOnly(2024, 1, 1), out _));
    }

    /// <summary>Appends the first sex digit that gives a usable check digit, then that check digit.</summary>
    private static string WithSexAndCheckDigit(string eightDigits) =>
        Enumerable.Range(0, 10)
            .Select(d => eightDigits + (char)('0' + d))
            .Where(nine => NhsNumber.ComputeCheckDigit(nine) is not null)
            .Select(nine => nine + (char)('0' + NhsNumber.ComputeCheckDigit(nine)!.Value))
            .First();
}
