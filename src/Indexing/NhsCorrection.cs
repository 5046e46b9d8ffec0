namespace Digitise.Indexing;

/// <summary>
/// Repairs OCR readings of NHS/CHI numbers through the confusions in DOMAIN.md: letters read for digits
/// (<c>O/D/Q -&gt; 0</c>, <c>I/l/|/! -&gt; 1</c>, <c>Z -&gt; 2</c>, <c>A -&gt; 4</c>, <c>S -&gt; 5</c>, <c>G/b -&gt; 6</c>,
/// <c>T -&gt; 7</c>, <c>B -&gt; 8</c>, <c>g/q -&gt; 9</c>), lost or extra spaces, one illegible character (<c>?</c>), and
/// one digit misread as a look-alike digit. A repair is accepted only when exactly one candidate passes the check digit:
/// the check digit confirms a reading, it cannot choose between two.
/// </summary>
public static class NhsCorrection
{
    /// <summary>Characters that may stand for a digit in an OCR reading of a number.</summary>
    public const string DigitLikeCharacters = "0123456789ODQIl|!ZASGbTBgq?";

    // Digits a scanner commonly turns into one another (shapes that share strokes). Used only when the letters alone do not pass.
    private static readonly string[] LookAlikeDigits =
    [
        "869", // 0
        "74", // 1
        "7", // 2
        "859", // 3
        "19", // 4
        "638", // 5
        "508", // 6
        "12", // 7
        "30695", // 8
        "840", // 9
    ];

    /// <summary>The digit an OCR confusion stands for, '?' for an illegible character, or '\0' when the character is not digit-like.</summary>
    public static char MapConfusion(char c) => c switch
    {
        >= '0' and <= '9' => c,
        'O' or 'D' or 'Q' or 'o' => '0',
        'I' or 'l' or '|' or '!' or 'i' => '1',
        'Z' or 'z' => '2',
        'A' => '4',
        'S' or 's' => '5',
        'G' or 'b' => '6',
        'T' => '7',
        'B' => '8',
        'g' or 'q' => '9',
        '?' => '?',
        _ => '\0',
    };

    /// <summary>
    /// Reads <paramref name="raw"/> (ten digit-like characters, spaces and dashes anywhere) and returns the single
    /// repaired number that passes <paramref name="isValid"/>, or null when the reading is already valid as it stands,
    /// cannot be read, or more than one repair (or none) passes.
    /// </summary>
    /// <param name="allowDigitSubstitution">Also try one look-alike digit substitution (labelled fields only: it finds more, and guesses more).</param>
    public static string? TryCorrect(string raw, Func<string, bool> isValid, bool allowDigitSubstitution)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(isValid);
        Span<char> digits = stackalloc char[10];
        int count = 0;
        int unknown = -1;
        bool mapped = false;
        foreach (char c in raw)
        {
            if (c is ' ' or '-')
            {
                continue;
            }

            char d = MapConfusion(c);
            if (d == '\0' || count == 10)
            {
                return null;
            }

            if (d == '?')
            {
                if (unknown >= 0)
                {
                    return null;
                }

                unknown = count;
            }

            mapped |= d != c;
            digits[count++] = d;
        }

        if (count != 10)
        {
            return null;
        }

        if (unknown >= 0)
        {
            // One illegible digit at a known position: the check digit fixes it (weights 2..10 are all invertible mod 11).
            return UniquePassing(digits, unknown, "0123456789", isValid);
        }

        string direct = new(digits);
        if (isValid(direct))
        {
            return mapped ? direct : null;
        }

        if (!allowDigitSubstitution)
        {
            return null;
        }

        string? found = null;
        for (int i = 0; i < 10; i++)
        {
            string? passing = UniquePassing(digits, i, LookAlikeDigits[digits[i] - '0'], isValid, out int passes);
            if (passes > 1 || (passes == 1 && found is not null))
            {
                return null;
            }

            found ??= passing;
        }

        return found;
    }

    private static string? UniquePassing(Span<char> digits, int position, string replacements, Func<string, bool> isValid) =>
        UniquePassing(digits, position, replacements, isValid, out int passes) is { } s && passes == 1 ? s : null;

    private static string? UniquePassing(Span<char> digits, int position, string replacements, Func<string, bool> isValid, out int passes)
    {
        passes = 0;
        string? found = null;
        char original = digits[position];
        foreach (char r in replacements)
        {
            digits[position] = r;
            string candidate = new(digits);
            if (isValid(candidate))
            {
                passes++;
                found = candidate;
            }
        }

        digits[position] = original;
        return passes == 1 ? found : null;
    }
}
