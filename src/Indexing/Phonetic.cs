using System.Text;

namespace Digitise.Indexing;

/// <summary>
/// Phonetic keys for family names: American Soundex (for blocking: SMITH, SMYTH and SCHMIDT share S530) and a small
/// Metaphone-style key (a "Double Metaphone-lite": PH/F, C/K/S, GH, KN, WR, TH, SCH, vowels after the first letter dropped)
/// for comparison. Both take <see cref="Names.Key"/>s: upper-case letters only.
/// </summary>
public static class Phonetic
{
    /// <summary>Four-character Soundex code ("ROBERT" -&gt; "R163"); empty for an empty key.</summary>
    public static string Soundex(string key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return string.Empty;
        }

        Span<char> code = ['0', '0', '0', '0'];
        code[0] = key[0];
        int length = 1;
        char previous = SoundexDigit(key[0]);
        for (int i = 1; i < key.Length && length < 4; i++)
        {
            char c = key[i];
            char digit = SoundexDigit(c);
            if (digit != '0' && digit != previous)
            {
                code[length++] = digit;
            }

            // H and W do not separate letters with the same code; vowels do.
            if (c is not ('H' or 'W'))
            {
                previous = digit;
            }
        }

        return new string(code);
    }

    /// <summary>A Metaphone-style key: spelling variants that sound alike ("PHILLIPS", "FILIPS") share it.</summary>
    public static string MetaphoneLite(string key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return string.Empty;
        }

        string s = key;
        if (s.StartsWith("KN", StringComparison.Ordinal) || s.StartsWith("GN", StringComparison.Ordinal) || s.StartsWith("WR", StringComparison.Ordinal) || s.StartsWith("PS", StringComparison.Ordinal))
        {
            s = s[1..];
        }

        var b = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            char next = i + 1 < s.Length ? s[i + 1] : '\0';
            bool vowel = IsVowel(c);
            if (vowel)
            {
                if (i == 0)
                {
                    b.Append('A');
                }

                continue;
            }

            string sound = c switch
            {
                'P' when next == 'H' => "F",
                'C' when next is 'E' or 'I' or 'Y' => "S",
                'C' when next == 'H' => "X",
                'C' or 'Q' or 'K' => "K",
                'S' when next == 'H' => "X",
                'S' when next == 'C' && i + 2 < s.Length && s[i + 2] == 'H' => "SK",
                'T' when next == 'H' => "0",
                'G' when next == 'H' => string.Empty,
                'D' when next == 'G' => "J",
                'X' => "KS",
                'Z' => "S",
                'V' => "F",
                'H' when i > 0 && !IsVowel(next) => string.Empty,
                'W' or 'Y' when !IsVowel(next) => string.Empty,
                _ => c.ToString(),
            };

            if (sound.Length > 0 && (b.Length == 0 || b[^1] != sound[0]))
            {
                b.Append(sound);
            }

            if ((c is 'P' or 'T' or 'S') && next == 'H')
            {
                i++;
            }
            else if (c == 'S' && sound == "SK")
            {
                i += 2;
            }
        }

        return b.ToString();
    }

    private static bool IsVowel(char c) => c is 'A' or 'E' or 'I' or 'O' or 'U';

    private static char SoundexDigit(char c) => c switch
    {
        'B' or 'F' or 'P' or 'V' => '1',
        'C' or 'G' or 'J' or 'K' or 'Q' or 'S' or 'X' or 'Z' => '2',
        'D' or 'T' => '3',
        'L' => '4',
        'M' or 'N' => '5',
        'R' => '6',
        _ => '0',
    };
}
