using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Digitise.Domain;

namespace Digitise.Indexing.Matching;

/// <summary>What searching a document for one candidate's own demographics found, with the words it was found on.</summary>
/// <param name="Family"><see cref="MatchFields.Exact"/>, <see cref="MatchFields.PreviousName"/> or <see cref="MatchFields.JaroWinklerHigh"/> (one part of a double-barrelled name); null when not found.</param>
/// <param name="Given"><see cref="MatchFields.Exact"/>, <see cref="MatchFields.Nickname"/> or <see cref="MatchFields.Initial"/> beside the family name; null when not found.</param>
/// <param name="FullName">Family and given name (or initial) found together: the name, not just a word that happens to be it.</param>
internal sealed record CandidateFindings(
    string? Family,
    string? Given,
    bool FullName,
    bool DateOfBirth,
    bool Postcode,
    bool Address,
    IReadOnlyList<ExtractedIdentifier> Identifiers)
{
    public static CandidateFindings None { get; } = new(null, null, false, false, false, false, []);

    /// <summary>Words the full name was found on (to tell two people's names apart from one name found twice).</summary>
    public IReadOnlySet<(int Line, int Position)> NameWords { get; init; } = new HashSet<(int, int)>();
}

/// <summary>
/// Searches a whole document for one candidate's own demographics, as a clerk does once a record is pulled: family and
/// given names in either order and any case, with titles, initials, middle names, double-barrelled and apostrophe names,
/// Mc/Mac, previous names and nicknames; the date of birth in every UK written form; the postcode through OCR confusions;
/// the first line of the address. Only agreement is searched for: not finding something is no evidence against anyone.
/// </summary>
internal static partial class CandidateSearch
{
    private static readonly HashSet<string> Titles = new(StringComparer.Ordinal) { "MR", "MRS", "MS", "MISS", "MX", "DR", "MASTER", "PROF", "REV", "SIR", "LADY", "DAME" };

    private static readonly string[] MonthKeys = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    public static CandidateFindings Find(DocumentWords words, IReadOnlyList<DateMention> dates, Patient patient, bool tolerant)
    {
        var ids = new List<ExtractedIdentifier>();
        (string? family, string? given, bool fullName, HashSet<(int, int)> nameWords) = FindName(words, patient, tolerant, ids);

        bool dob = false;
        if (patient.DateOfBirth is DateOnly birth)
        {
            foreach (DateMention date in dates.Where(d => d.Matches(birth)))
            {
                dob = true;
                ids.Add(words.Create(IdentifierKind.DateOfBirth, birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), date.Line, date.First, date.Last, EvidenceSource.Search));
            }
        }

        bool postcode = FindPostcode(words, patient.Postcode, ids);
        bool address = FindAddress(words, patient.Address, ids);
        return new CandidateFindings(family, given, fullName, dob, postcode, address, [.. ids.Select(i => i with { SoughtFor = patient.PatientId })])
        {
            NameWords = nameWords,
        };
    }

    /// <summary>Patients born on a date printed on the document whose family name is on it too (name + date-of-birth blocking).</summary>
    public static IEnumerable<Patient> BlockByDates(DocumentWords words, IReadOnlyList<DateMention> dates, PatientIndex index, DateOnly today, int maxBlock)
    {
        var tried = new HashSet<DateOnly>();
        foreach (DateMention mention in dates)
        {
            foreach (DateOnly date in mention.Resolve(today))
            {
                if (!tried.Add(date))
                {
                    continue;
                }

                IReadOnlyList<Patient> born = index.FindByDateOfBirth(date);
                if (born.Count > maxBlock)
                {
                    continue;
                }

                foreach (Patient patient in born)
                {
                    if (words.WithNameKey(Names.Key(patient.FamilyName)).Count > 0
                        || (patient.PreviousFamilyName is { } previous && words.WithNameKey(Names.Key(previous)).Count > 0))
                    {
                        yield return patient;
                    }
                }
            }
        }
    }

    // ---- names -------------------------------------------------------------------------------------------------------

    private static (string? Family, string? Given, bool FullName, HashSet<(int, int)> Words) FindName(
        DocumentWords words, Patient patient, bool tolerant, List<ExtractedIdentifier> ids)
    {
        string familyKey = Names.Key(patient.FamilyName);
        string previousKey = Names.Key(patient.PreviousFamilyName);
        string[] familyParts = Parts(patient.FamilyName);
        string[] givenParts = Parts(patient.GivenName);
        string? bestFamily = null;
        string? bestGiven = null;
        bool fullName = false;
        var nameWords = new HashSet<(int, int)>();
        if (familyKey.Length == 0)
        {
            return (null, null, false, nameWords);
        }

        for (int line = 0; line < words.Lines.Count; line++)
        {
            IReadOnlyList<DocumentWord> tokens = words.Lines[line];
            for (int first = 0; first < tokens.Count; first++)
            {
                string key = string.Empty;
                for (int last = first; last < tokens.Count && last < first + 3; last++)
                {
                    key += tokens[last].NameKey;
                    if (key.Length == 0)
                    {
                        break;
                    }

                    string? level = FamilyLevel(key, familyKey, previousKey, familyParts, last == first, tolerant);
                    if (level is null)
                    {
                        continue;
                    }

                    string? given = GivenBeside(words, line, first, last, givenParts, out int givenLine, out int givenAt);
                    if (Better(level, bestFamily, FamilyOrder) || (level == bestFamily && Better(given, bestGiven, GivenOrder)))
                    {
                        bestFamily = level;
                        bestGiven = given ?? bestGiven;
                    }

                    IdentifierKind kind = IdentifierKind.FamilyName;
                    ids.Add(words.Create(kind, Names.Display(level == MatchFields.PreviousName ? patient.PreviousFamilyName! : patient.FamilyName), line, first, last, EvidenceSource.Search));
                    if (given is not null)
                    {
                        fullName = true;
                        ids.Add(words.Create(IdentifierKind.GivenName, Names.Display(patient.GivenName), givenLine, givenAt, givenAt, EvidenceSource.Search));
                        for (int i = first; i <= last; i++)
                        {
                            nameWords.Add((line, i));
                        }

                        nameWords.Add((givenLine, givenAt));
                    }

                    break;
                }
            }
        }

        return (bestFamily, bestGiven, fullName, nameWords);
    }

    private static readonly string[] FamilyOrder = [MatchFields.Exact, MatchFields.PreviousName, MatchFields.JaroWinklerHigh];
    private static readonly string[] GivenOrder = [MatchFields.Exact, MatchFields.Nickname, MatchFields.Initial];

    private static bool Better(string? level, string? than, string[] order) =>
        level is not null && (than is null || Array.IndexOf(order, level) < Array.IndexOf(order, than));

    private static string? FamilyLevel(string key, string familyKey, string previousKey, string[] familyParts, bool single, bool tolerant)
    {
        if (key == familyKey || (tolerant && key.Length >= 6 && OneEditApart(Fold(key), Fold(familyKey))))
        {
            return MatchFields.Exact;
        }

        if (previousKey.Length > 0 && key == previousKey)
        {
            return MatchFields.PreviousName;
        }

        // One part of a double-barrelled name ("JONES" for SMITH-JONES).
        return single && familyParts.Length > 1 && key.Length >= 4 && familyParts.Contains(key, StringComparer.Ordinal) ? MatchFields.JaroWinklerHigh : null;
    }

    /// <summary>A given name, nickname or initial within three words of the family name on its line, or on the line above or below.</summary>
    private static string? GivenBeside(DocumentWords words, int line, int first, int last, string[] givenParts, out int givenLine, out int givenAt)
    {
        givenLine = -1;
        givenAt = -1;
        if (givenParts.Length == 0 || Names.IsJunkGivenName(givenParts[0]))
        {
            return null;
        }

        string? best = null;
        for (int l = Math.Max(0, line - 1); l <= Math.Min(words.Lines.Count - 1, line + 1); l++)
        {
            IReadOnlyList<DocumentWord> tokens = words.Lines[l];
            if (tokens[0].Page != words.Lines[line][0].Page)
            {
                continue;
            }

            int from = l == line ? Math.Max(0, first - 4) : 0;
            int to = l == line ? Math.Min(tokens.Count - 1, last + 4) : Math.Min(tokens.Count - 1, 4);
            for (int i = from; i <= to; i++)
            {
                if (l == line && i >= first && i <= last)
                {
                    continue;
                }

                string key = tokens[i].NameKey;
                if (key.Length == 0 || Titles.Contains(key))
                {
                    continue;
                }

                string? level = givenParts.Contains(key, StringComparer.Ordinal) ? MatchFields.Exact
                    : key.Length > 1 && Names.AreNicknames(key, givenParts[0]) ? MatchFields.Nickname
                    : key.Length == 1 && l == line && key[0] == givenParts[0][0] && tokens[i].Text.Length <= 2 ? MatchFields.Initial
                    : null;
                if (Better(level, best, GivenOrder))
                {
                    best = level;
                    givenLine = l;
                    givenAt = i;
                }
            }
        }

        return best;
    }

    private static string[] Parts(string? name) =>
        name is null ? [] : [.. name.Split([' ', '-'], StringSplitOptions.RemoveEmptyEntries).Select(Names.Key).Where(k => k.Length > 0)];

    /// <summary>"rn" read for "m" (DOMAIN.md): fold both spellings to one.</summary>
    private static string Fold(string key) => key.Replace("RN", "M", StringComparison.Ordinal);

    private static bool OneEditApart(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 1)
        {
            return false;
        }

        int i = 0;
        int j = 0;
        int edits = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                i++;
                j++;
                continue;
            }

            if (++edits > 1)
            {
                return false;
            }

            if (a.Length > b.Length)
            {
                i++;
            }
            else if (b.Length > a.Length)
            {
                j++;
            }
            else
            {
                i++;
                j++;
            }
        }

        return edits + (a.Length - i) + (b.Length - j) <= 1;
    }

    // ---- postcode and address ------------------------------------------------------------------------------------------

    private static bool FindPostcode(DocumentWords words, string? postcode, List<ExtractedIdentifier> ids)
    {
        string? key = PatientIndex.PostcodeKey(postcode);
        if (key is null || key.Length < 5)
        {
            return false;
        }

        string target = Canonical(key);
        bool found = false;
        for (int line = 0; line < words.Lines.Count; line++)
        {
            IReadOnlyList<DocumentWord> tokens = words.Lines[line];
            for (int first = 0; first < tokens.Count; first++)
            {
                string code = string.Empty;
                for (int last = first; last < tokens.Count && last < first + 2; last++)
                {
                    code += tokens[last].Code;
                    if (code.Length == target.Length && Canonical(code) == target)
                    {
                        ids.Add(words.Create(IdentifierKind.Postcode, postcode!.ToUpperInvariant(), line, first, last, EvidenceSource.Search));
                        found = true;
                        break;
                    }
                }
            }
        }

        return found;
    }

    /// <summary>Each character folded with the characters OCR reads for it (0/O/D/Q, 1/I/L, 2/Z, 5/S, 6/G, 8/B).</summary>
    private static string Canonical(string code)
    {
        var builder = new StringBuilder(code.Length);
        foreach (char c in code)
        {
            builder.Append(c switch
            {
                'O' or 'D' or 'Q' => '0',
                'I' or 'L' => '1',
                'Z' => '2',
                'S' => '5',
                'G' => '6',
                'B' => '8',
                _ => c,
            });
        }

        return builder.ToString();
    }

    private static bool FindAddress(DocumentWords words, string? address, List<ExtractedIdentifier> ids)
    {
        string firstLine = address?.Split(',')[0] ?? string.Empty;
        string[] target = [.. firstLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => string.Concat(w.Where(char.IsAsciiLetterOrDigit)).ToUpperInvariant()).Where(w => w.Length > 0)];
        if (target.Length < 2)
        {
            return false;
        }

        for (int line = 0; line < words.Lines.Count; line++)
        {
            IReadOnlyList<DocumentWord> tokens = words.Lines[line];
            for (int first = 0; first + target.Length <= tokens.Count; first++)
            {
                bool all = true;
                for (int k = 0; k < target.Length && all; k++)
                {
                    all = Canonical(tokens[first + k].Code) == Canonical(target[k]);
                }

                if (all)
                {
                    ids.Add(words.Create(IdentifierKind.Address, firstLine.Trim().ToUpperInvariant(), line, first, first + target.Length - 1, EvidenceSource.Search));
                    return true;
                }
            }
        }

        return false;
    }

    // ---- dates -------------------------------------------------------------------------------------------------------

    [GeneratedRegex(
        """
        (?<![0-9])(?<d>[0-3]?[0-9])\s?[/.\-\s]\s?(?<m>[01]?[0-9])\s?[/.\-\s]\s?(?<y>[0-9]{4}|[0-9]{2})(?![0-9])
        |(?<![0-9])(?<d>[0-3]?[0-9])(?:st|nd|rd|th)?[\s\-/.,]*(?:of\s+)?(?<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?[\s\-/.,]*(?<y>[0-9]{4}|[0-9]{2})(?![0-9])
        |(?<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?<d>[0-3]?[0-9])(?:st|nd|rd|th)?,?\s+(?<y>[0-9]{4})(?![0-9])
        |(?<![0-9])(?<y>(?:19|20)[0-9]{2})-(?<m>[01][0-9])-(?<d>[0-3][0-9])(?![0-9])
        """,
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace | RegexOptions.ExplicitCapture)]
    private static partial Regex DateInLine();

    /// <summary>Every date printed on the document, in any UK written form, with its words (digit-like letters read as digits).</summary>
    public static List<DateMention> FindDates(DocumentWords words)
    {
        var dates = new List<DateMention>();
        for (int line = 0; line < words.Lines.Count; line++)
        {
            IReadOnlyList<DocumentWord> tokens = words.Lines[line];
            var text = new StringBuilder();
            var starts = new int[tokens.Count];
            for (int i = 0; i < tokens.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(' ');
                }

                starts[i] = text.Length;
                text.Append(DigitLike(tokens[i].Text));
            }

            foreach (Match match in DateInLine().Matches(text.ToString()))
            {
                int day = int.Parse(match.Groups["d"].ValueSpan, CultureInfo.InvariantCulture);
                int month = match.Groups["m"].Success
                    ? int.Parse(match.Groups["m"].ValueSpan, CultureInfo.InvariantCulture)
                    : Array.IndexOf(MonthKeys, match.Groups["mon"].Value[..3].ToUpperInvariant()) + 1;
                string y = match.Groups["y"].Value;
                if (day is < 1 or > 31 || month is < 1 or > 12)
                {
                    continue;
                }

                int first = Array.FindLastIndex(starts, s => s <= match.Index);
                int last = Array.FindLastIndex(starts, s => s < match.Index + match.Length);
                dates.Add(new DateMention(day, month, int.Parse(y, CultureInfo.InvariantCulture), y.Length == 2, line, Math.Max(0, first), Math.Max(0, last)));
            }
        }

        return dates;
    }

    /// <summary>A word that is mostly digits with letters OCR reads for digits ("O2/O7/l948") gets those letters as digits.</summary>
    private static string DigitLike(string text)
    {
        int digits = text.Count(char.IsAsciiDigit);
        if (digits == 0 || digits * 2 < text.Count(char.IsLetterOrDigit))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            char mapped = NhsCorrection.MapConfusion(c);
            builder.Append(mapped is '\0' or '?' ? c : mapped);
        }

        return builder.ToString();
    }
}

/// <summary>A date printed on a document: day, month, year (two digits when <paramref name="ShortYear"/>), and its words.</summary>
internal readonly record struct DateMention(int Day, int Month, int Year, bool ShortYear, int Line, int First, int Last)
{
    public bool Matches(DateOnly date) =>
        date.Day == Day && date.Month == Month && (ShortYear ? date.Year % 100 == Year : date.Year == Year);

    /// <summary>The dates this mention can be (a two-digit year in either of the last two centuries), none after <paramref name="today"/>.</summary>
    public IEnumerable<DateOnly> Resolve(DateOnly today)
    {
        int[] years = ShortYear ? [1900 + Year, 2000 + Year] : [Year];
        foreach (int year in years)
        {
            if (year is >= 1850 and <= 9999 && Day <= DateTime.DaysInMonth(year, Month))
            {
                var date = new DateOnly(year, Month, Day);
                if (date <= today)
                {
                    yield return date;
                }
            }
        }
    }
}
