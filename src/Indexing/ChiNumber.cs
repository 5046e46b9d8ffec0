using System.Diagnostics.CodeAnalysis;
using Digitise.Domain;

namespace Digitise.Indexing;

/// <summary>
/// CHI numbers (NHSScotland): DDMMYY date of birth, two serial digits, a sex digit (9th: even female, odd male)
/// and the NHS modulus-11 check digit.
/// </summary>
public static class ChiNumber
{
    /// <summary>Whether the check digit passes and the first six digits are a real DDMMYY date.</summary>
    public static bool IsValid([NotNullWhen(true)] string? text) =>
        NhsNumber.TryNormalize(text, out string? digits)
        && NhsNumber.HasValidCheckDigit(digits)
        && TryGetDateOfBirth(digits, DateOnly.MaxValue, out _);

    /// <summary>
    /// The date of birth encoded in the first six digits. The century is chosen so the date is not after
    /// <paramref name="notAfter"/> (the document date, or today), and is never more than a hundred years before it.
    /// </summary>
    public static bool TryGetDateOfBirth(string chiNumber, DateOnly notAfter, out DateOnly dateOfBirth)
    {
        dateOfBirth = default;
        if (!NhsNumber.TryNormalize(chiNumber, out string? digits))
        {
            return false;
        }

        int day = ((digits[0] - '0') * 10) + (digits[1] - '0');
        int month = ((digits[2] - '0') * 10) + (digits[3] - '0');
        int yy = ((digits[4] - '0') * 10) + (digits[5] - '0');
        return UkDate.TryResolveTwoDigitYear(day, month, yy, notAfter, out dateOfBirth);
    }

    /// <summary>"F" when the 9th digit is even, "M" when odd; null when the input is not ten digits.</summary>
    public static string? GetSex(string chiNumber) =>
        NhsNumber.TryNormalize(chiNumber, out string? digits) ? ((digits[8] - '0') % 2 == 0 ? "F" : "M") : null;
}
