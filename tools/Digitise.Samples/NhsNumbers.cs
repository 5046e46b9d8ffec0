using System.Globalization;

namespace Digitise.Samples;

/// <summary>Synthetic NHS numbers with a valid modulus-11 check digit (never the 999 test range).</summary>
internal static class NhsNumbers
{
    /// <summary>The check digit for the first nine digits, or -1 when the number cannot be valid (remainder gives 10).</summary>
    public static int CheckDigit(ReadOnlySpan<char> nine)
    {
        int sum = 0;
        for (int i = 0; i < 9; i++)
        {
            sum += (nine[i] - '0') * (10 - i);
        }

        int check = 11 - (sum % 11);
        return check switch
        {
            11 => 0,
            10 => -1,
            _ => check,
        };
    }

    public static bool IsValid(string nhs) =>
        nhs.Length == 10 && nhs.All(char.IsAsciiDigit) && CheckDigit(nhs.AsSpan(0, 9)) == nhs[9] - '0';

    public static string Next(Random rng)
    {
        while (true)
        {
            // Real numbers start 3, 4, 6 (England/Wales); avoid 999 test numbers.
            char lead = "3466"[rng.Next(4)];
            string nine = lead + rng.Next(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture);
            int check = CheckDigit(nine);
            if (check >= 0)
            {
                return nine + (char)('0' + check);
            }
        }
    }

    /// <summary>The same number with one digit (not the first) keyed wrongly: always fails the check.</summary>
    public static string Mistype(string nhs, Random rng)
    {
        char[] digits = nhs.ToCharArray();
        int pos = rng.Next(1, 10);
        int old = digits[pos] - '0';
        digits[pos] = (char)('0' + ((old + rng.Next(1, 10)) % 10));
        return new string(digits);
    }

    /// <summary>Spaced (943 476 5919), dashed (943-476-5919) or run together.</summary>
    public static string Format(string nhs, int style) => style switch
    {
        0 => $"{nhs[..3]} {nhs[3..6]} {nhs[6..]}",
        1 => $"{nhs[..3]}-{nhs[3..6]}-{nhs[6..]}",
        _ => nhs,
    };
}
