using System.Diagnostics.CodeAnalysis;

namespace Digitise.Domain;

/// <summary>
/// NHS numbers (England, Wales, Isle of Man; the same scheme as the Northern Ireland H&amp;C number):
/// ten digits whose tenth is a modulus-11 check digit over the first nine, weighted 10..2.
/// </summary>
public static class NhsNumber
{
    /// <summary>
    /// The check digit for the first nine digits, or null when the check value is 10 (no valid number starts with them).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="nineDigits"/> is not nine ASCII digits.</exception>
    public static int? ComputeCheckDigit(ReadOnlySpan<char> nineDigits)
    {
        if (nineDigits.Length != 9)
        {
            throw new ArgumentException("Expected exactly nine digits.", nameof(nineDigits));
        }

        int sum = 0;
        for (int i = 0; i < 9; i++)
        {
            char c = nineDigits[i];
            if (!char.IsAsciiDigit(c))
            {
                throw new ArgumentException("Expected exactly nine digits.", nameof(nineDigits));
            }

            sum += (c - '0') * (10 - i);
        }

        int check = 11 - (sum % 11);
        return check switch
        {
            11 => 0,
            10 => null,
            _ => check,
        };
    }

    /// <summary>Whether <paramref name="text"/> (ten digits, optionally spaced or dashed 3-3-4) passes the check.</summary>
    public static bool IsValid([NotNullWhen(true)] string? text) =>
        TryNormalize(text, out string? digits) && HasValidCheckDigit(digits);

    /// <summary>
    /// Reads "943 476 5919", "943-476-5919" or "9434765919" (spaces and dashes between digits tolerated anywhere)
    /// as ten digits. Does not check the check digit.
    /// </summary>
    public static bool TryNormalize([NotNullWhen(true)] string? text, [NotNullWhen(true)] out string? tenDigits)
    {
        tenDigits = null;
        if (text is null)
        {
            return false;
        }

        Span<char> buffer = stackalloc char[10];
        int count = 0;
        foreach (char c in text.AsSpan().Trim())
        {
            if (char.IsAsciiDigit(c))
            {
                if (count == 10)
                {
                    return false;
                }

                buffer[count++] = c;
            }
            else if (c is not (' ' or '-'))
            {
                return false;
            }
        }

        if (count != 10)
        {
            return false;
        }

        tenDigits = new string(buffer);
        return true;
    }

    /// <summary>Formats ten digits the way the NHS prints them: "943 476 5919".</summary>
    public static string Format(string tenDigits) =>
        tenDigits.Length == 10 ? $"{tenDigits[..3]} {tenDigits[3..6]} {tenDigits[6..]}" : tenDigits;

    /// <summary>Numbers starting 999 are issued for testing only.</summary>
    public static bool IsTestNumber(string tenDigits) => tenDigits.StartsWith("999", StringComparison.Ordinal);

    /// <summary>Whether <paramref name="tenDigits"/> is exactly ten ASCII digits whose last is the modulus-11 check digit of the first nine.</summary>
    public static bool HasValidCheckDigit(ReadOnlySpan<char> tenDigits)
    {
        if (tenDigits.Length != 10 || !char.IsAsciiDigit(tenDigits[9]))
        {
            return false;
        }

        foreach (char c in tenDigits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return ComputeCheckDigit(tenDigits[..9]) == tenDigits[9] - '0';
    }
}
