using System.Globalization;
using System.Text.RegularExpressions;
using Digitise.Domain;

namespace Digitise.Indexing;

/// <summary>
/// Reads identifiers from a document's OCR text with labelled-field rules: each label on a line owns the text up to the
/// next label, and the value is parsed from the start of that text. Unlabelled NHS/CHI numbers (3-3-4 groups, kept only
/// when the check digit passes), postcodes, letter dates and addressograph names are read as well. Every identifier
/// carries the boxes and OCR confidence of the words it was read from.
/// </summary>
public sealed partial class IdentifierExtractor : IIdentifierExtractor
{
    private const double UnlabelledFactor = 0.9;
    private const double CorrectedFactor = 0.5;

    private static readonly string[] BlockedNamePrefixes =
        ["GP", "CONSULTANT", "DOCTOR", "DR", "REFERRER", "REFERRING", "KIN", "NOK", "PRACTICE", "SURGERY", "WARD",
         "CONTACT", "CARER", "PARENT", "MOTHER", "FATHER", "MOTHER'S", "FATHER'S", "CLINICIAN", "SIGNATURE", "STAFF",
         "NURSE", "SURGEON", "USER", "HOSPITAL", "PRINT", "AUTHOR", "SENDER", "SIGNED"];

    private static readonly string[] Titles =
        ["MR", "MRS", "MS", "MISS", "MX", "DR", "MASTER", "PROF", "REV", "SIR", "LADY", "DAME", "BABY"];

    private static readonly string[] NameParticles = ["van", "von", "de", "der", "den", "da", "di", "du", "le", "la", "bin", "al", "el", "ap"];

    private readonly Regex[] _hospitalPatterns;
    private readonly IdentifierRegion _region;
    private readonly TimeProvider _timeProvider;

    public IdentifierExtractor(IdentifierOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= new IdentifierOptions();
        _region = options.Region;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _hospitalPatterns = new Regex[options.HospitalNumberPatterns.Count];
        for (int i = 0; i < _hospitalPatterns.Length; i++)
        {
            try
            {
                _hospitalPatterns[i] = new Regex(
                    options.HospitalNumberPatterns[i],
                    RegexOptions.CultureInvariant,
                    TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException(
                    $"IdentifierOptions.HospitalNumberPatterns[{i}] is not a valid regular expression: {ex.Message}",
                    nameof(options),
                    ex);
            }
        }
    }

    private enum Label
    {
        Nhs,
        Chi,
        Hospital,
        DateOfBirth,
        Sex,
        FullName,
        FamilyName,
        GivenName,
        Date,
    }

    public IReadOnlyList<ExtractedIdentifier> Extract(Document document)
    {
        DateOnly today = DateOnly.FromDateTime(_timeProvider.GetUtcNow().UtcDateTime);
        var pages = document.Pages.Select(p => new PageReader(p)).ToList();
        var fields = pages.SelectMany(FindFields).ToList();

        var results = new List<ExtractedIdentifier>();
        foreach (Field field in fields.Where(f => f.Label == Label.Date))
        {
            ReadDate(field, today, IdentifierKind.DocumentDate, results);
        }

        foreach (PageReader page in pages)
        {
            FindLetterDates(page, today, results);
        }

        DateOnly notAfter = results.Where(r => r.Kind == IdentifierKind.DocumentDate)
            .Select(r => DateOnly.ParseExact(r.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture))
            .DefaultIfEmpty(today)
            .Min();

        foreach (Field field in fields)
        {
            switch (field.Label)
            {
                case Label.Nhs or Label.Chi:
                    ReadNationalNumber(field, results);
                    break;
                case Label.Hospital:
                    ReadHospitalNumber(field, results);
                    break;
                case Label.DateOfBirth:
                    ReadDate(field, notAfter, IdentifierKind.DateOfBirth, results);
                    break;
                case Label.Sex:
                    ReadSex(field, results);
                    break;
                case Label.FullName or Label.FamilyName or Label.GivenName:
                    ReadName(field, IsAboutPatient(field, fields), results);
                    break;
            }
        }

        foreach (PageReader page in pages)
        {
            FindUnlabelledNumbers(page, results);
            FindPostcodes(page, results);
            FindAddressographNames(page, fields, results);
        }

        return [.. results.OrderBy(r => r.PageNumber)];
    }

    // ---- labelled fields -------------------------------------------------------------------------------------------

    [GeneratedRegex(
        """
        (?<nhs>\bN\.?\s?H\.?\s?S\b\.?(?:\s*(?:number|num|n[o0])\b)?)
        |(?<chi>\bC\.?H\.?I\b\.?(?:\s*(?:number|no)\b)?)
        |(?<hosp>\b(?:hosp(?:ital)?\.?\s*(?:number|num|n[o0])\b|M\.?R\.?N\b|unit\s*(?:number|no)\b|case\s*note\s*(?:number|no)\b|case\s*no\b|patient\s*(?:number|no)\b|hospital\s*id\b|PAS\s*(?:number|no)\b|K\s*no\b))
        |(?<dob>\b(?:D\.?\s?[O0]\.?\s?B\b|date\s*of\s*birth\b|birth\s*date\b|born\b))
        |(?<sex>\b(?:sex|gender)\b)
        |(?<family>\b(?:surname|family\s*name|last\s*name)\b)
        |(?<given>\b(?:forename\s*\(s\)|(?:forenames?|given\s*names?|first\s*names?|christian\s*names?)\b))
        |(?<full>\b(?:patient\s*name|patient|full\s*name|name|re)\b)
        |(?<date>\b(?:date\s*of\s*(?:letter|clinic|report|discharge|admission|dictation|issue)|date\s*reported|dated|date)\b)
        """,
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace | RegexOptions.ExplicitCapture)]
    private static partial Regex LabelRegex();

    [GeneratedRegex(@"\G[ \t:;.,=\-#|]*", RegexOptions.CultureInvariant)]
    private static partial Regex Separator();

    private static IEnumerable<Field> FindFields(PageReader page)
    {
        foreach ((int lineStart, string line) in page.Lines)
        {
            var labels = new List<(Label Label, int Start, int ValueStart)>();
            foreach (Match match in LabelRegex().Matches(line))
            {
                Label label = ToLabel(match);
                Match separator = Separator().Match(line, match.Index + match.Length);
                bool weak = label is Label.FullName or Label.FamilyName or Label.GivenName;
                if (weak && !IsAcceptedNameLabel(line, match, separator))
                {
                    continue;
                }

                labels.Add((label, match.Index, separator.Index + separator.Length));
            }

            for (int i = 0; i < labels.Count; i++)
            {
                int end = i + 1 < labels.Count ? labels[i + 1].Start : line.Length;
                if (labels[i].ValueStart <= end)
                {
                    yield return new Field(page, labels[i].Label, lineStart + labels[i].Start, lineStart + labels[i].ValueStart, lineStart + end);
                }
            }
        }
    }

    private static Label ToLabel(Match match) =>
        match.Groups["nhs"].Success ? Label.Nhs
        : match.Groups["chi"].Success ? Label.Chi
        : match.Groups["hosp"].Success ? Label.Hospital
        : match.Groups["dob"].Success ? Label.DateOfBirth
        : match.Groups["sex"].Success ? Label.Sex
        : match.Groups["family"].Success ? Label.FamilyName
        : match.Groups["given"].Success ? Label.GivenName
        : match.Groups["full"].Success ? Label.FullName
        : Label.Date;

    /// <summary>Name labels are common words: accept them at the start of a line or followed by a colon-like mark, and not after "GP", "Consultant", ....</summary>
    private static bool IsAcceptedNameLabel(string line, Match label, Match separator)
    {
        ReadOnlySpan<char> before = line.AsSpan(0, label.Index).TrimEnd();
        int lastSpace = before.LastIndexOf(' ');
        string previousWord = before[(lastSpace + 1)..].Trim(".,:;()").ToString().ToUpperInvariant();
        if (BlockedNamePrefixes.Contains(previousWord, StringComparer.Ordinal))
        {
            return false;
        }

        bool punctuated = separator.Value.AsSpan().IndexOfAny(":-=#") >= 0;

        // A bare "Patient" or "Re" starts headings ("Patient Information", "Patient Address:"): a field only with its colon.
        bool bare = label.Value.Trim().ToUpperInvariant() is "PATIENT" or "RE";
        return punctuated || (before.IsEmpty && !bare);
    }

    [GeneratedRegex(@"^\d(?:[ \-]?\d){9}(?![\d])", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingTenDigits();

    /// <summary>Ten digit-like characters (DOMAIN.md's OCR confusions, '?' for an illegible one), spaces or dashes between.</summary>
    [GeneratedRegex(@"^[0-9ODQIl|!ZASGbTBgq?](?:[ \-]?[0-9ODQIl|!ZASGbTBgq?]){9}(?![0-9A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingTenDigitLike();

    private static void ReadNationalNumber(Field field, List<ExtractedIdentifier> results)
    {
        bool chi = field.Label == Label.Chi;
        Match match = LeadingTenDigits().Match(field.Value);
        if (match.Success && NhsNumber.TryNormalize(match.Value, out string? digits))
        {
            (IdentifierKind kind, bool valid) = chi
                ? (IdentifierKind.ChiNumber, ChiNumber.IsValid(digits))
                : (IdentifierKind.NhsNumber, NhsNumber.HasValidCheckDigit(digits));
            if (valid || !TryAddCorrected(field, match, chi, results))
            {
                results.Add(field.Page.Create(kind, digits, valid, field.ValueStart + match.Index, match.Length));
            }

            return;
        }

        Match digitLike = LeadingTenDigitLike().Match(field.Value);
        if (digitLike.Success)
        {
            TryAddCorrected(field, digitLike, chi, results);
        }
    }

    /// <summary>A labelled reading repaired through the OCR confusions; kept only when exactly one repair passes the check.</summary>
    private static bool TryAddCorrected(Field field, Match match, bool chi, List<ExtractedIdentifier> results)
    {
        Func<string, bool> check = chi ? ChiNumber.IsValid : NhsNumber.IsValid;
        if (NhsCorrection.TryCorrect(match.Value, check, allowDigitSubstitution: true) is not { } corrected)
        {
            return false;
        }

        ExtractedIdentifier read = field.Page.Create(
            chi ? IdentifierKind.ChiNumber : IdentifierKind.NhsNumber, corrected, true, field.ValueStart + match.Index, match.Length, CorrectedFactor);
        results.Add(read with { IsCorrected = true });
        return true;
    }

    [GeneratedRegex(@"^([A-Za-z0-9]+)(?:[ \-]([A-Za-z0-9]+))?", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingTokens();

    private void ReadHospitalNumber(Field field, List<ExtractedIdentifier> results)
    {
        Match match = LeadingTokens().Match(field.Value);
        if (!match.Success)
        {
            return;
        }

        string first = match.Groups[1].Value.ToUpperInvariant();
        if (IsHospitalNumber(first))
        {
            results.Add(field.Page.Create(IdentifierKind.HospitalNumber, first, true, field.ValueStart, match.Groups[1].Length));
        }
        else if (match.Groups[2].Success && IsHospitalNumber(first + match.Groups[2].Value.ToUpperInvariant()))
        {
            results.Add(field.Page.Create(
                IdentifierKind.HospitalNumber, first + match.Groups[2].Value.ToUpperInvariant(), true, field.ValueStart, match.Length));
        }
        else if (LabelledNumber().Match(field.Value) is { Success: true } any && any.Value.Any(char.IsAsciiDigit)
            && InMemoryPatientIndex.HospitalKey(any.Value).Length is >= 4 and <= 16)
        {
            // The configured formats are a hint, not a gate: under a hospital-number label any number is one, read less surely.
            results.Add(field.Page.Create(
                IdentifierKind.HospitalNumber, InMemoryPatientIndex.HospitalKey(any.Value), true, field.ValueStart, any.Length, UnlabelledFactor));
        }
    }

    /// <summary>A number in another trust's format: letters and digits with '/', '-' or '.' inside ("H/123456/7", "12-345-678").</summary>
    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9/.\-]*[A-Za-z0-9])?", RegexOptions.CultureInvariant)]
    private static partial Regex LabelledNumber();

    private bool IsHospitalNumber(string value) => Array.Exists(_hospitalPatterns, p => p.IsMatch(value));

    private static void ReadDate(Field field, DateOnly notAfter, IdentifierKind kind, List<ExtractedIdentifier> results)
    {
        if (UkDate.TryParseLeading(field.Value, notAfter, out DateOnly date, out int length))
        {
            int leading = field.Value.Length - field.Value.TrimStart().Length;
            results.Add(field.Page.Create(
                kind, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), true, field.ValueStart + leading, length - leading));
        }
    }

    [GeneratedRegex(@"^(?i:(?<v>male|female|m|f))\b", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex LeadingSex();

    private static void ReadSex(Field field, List<ExtractedIdentifier> results)
    {
        Match match = LeadingSex().Match(field.Value);
        if (match.Success)
        {
            string value = char.ToUpperInvariant(match.Value[0]) == 'M' ? "M" : "F";
            results.Add(field.Page.Create(IdentifierKind.Sex, value, true, field.ValueStart, match.Length));
        }
    }

    // ---- names -----------------------------------------------------------------------------------------------------

    [GeneratedRegex(@"[^\s]+", RegexOptions.CultureInvariant)]
    private static partial Regex Token();

    /// <summary>
    /// A name field is about the patient when its label says so ("Patient", "Surname", "Forename", "Re:"), or when a plain
    /// "Name" sits on a line with, or next to, the patient's numbers or date of birth. A "Name" elsewhere (a table column, a
    /// next-of-kin box) may support a candidate but never contradicts one.
    /// </summary>
    private static bool IsAboutPatient(Field field, List<Field> fields)
    {
        string label = field.Page.Page.Text[field.LabelStart..field.ValueStart].Trim().TrimEnd(':', '-', '=', '#', '.', ' ').ToUpperInvariant();
        if (field.Label != Label.FullName || !label.StartsWith("NAME", StringComparison.Ordinal) && !label.StartsWith("FULL", StringComparison.Ordinal))
        {
            return true;
        }

        int line = field.Page.LineOf(field.LabelStart);
        return fields.Exists(f => f.Page == field.Page && f.Label is Label.Nhs or Label.Chi or Label.Hospital or Label.DateOfBirth
            && Math.Abs(field.Page.LineOf(f.LabelStart) - line) <= 1);
    }

    private static void ReadName(Field field, bool aboutPatient, List<ExtractedIdentifier> results)
    {
        int before = results.Count;
        ReadName(field, results);
        for (int i = before; i < results.Count; i++)
        {
            results[i] = results[i] with { AboutPatient = aboutPatient };
        }
    }

    private static void ReadName(Field field, List<ExtractedIdentifier> results)
    {
        List<NameToken> tokens = NameTokens(field.Value);
        if (tokens.Count == 0)
        {
            return;
        }

        int offset = field.ValueStart;
        if (field.Label == Label.FamilyName)
        {
            AddName(field.Page, IdentifierKind.FamilyName, tokens, 0, tokens.Count, offset, results);
            return;
        }

        if (field.Label == Label.GivenName)
        {
            AddName(field.Page, IdentifierKind.GivenName, tokens, 0, 1, offset, results);
            return;
        }

        int comma = tokens.FindIndex(t => t.CommaAfter);
        if (comma >= 0 && comma < tokens.Count - 1)
        {
            AddName(field.Page, IdentifierKind.FamilyName, tokens, 0, comma + 1, offset, results);
            AddName(field.Page, IdentifierKind.GivenName, tokens, comma + 1, 1, offset, results);
            return;
        }

        if (tokens.Count == 1)
        {
            AddName(field.Page, IdentifierKind.FamilyName, tokens, 0, 1, offset, results);
            return;
        }

        // "John SMITH" / "SMITH John": an upper-case block among mixed-case words is the family name.
        int upperStart = tokens.FindIndex(t => t.IsUpper);
        int upperEnd = upperStart < 0 ? -1 : tokens.FindIndex(upperStart, t => !t.IsUpper);
        upperEnd = upperEnd < 0 ? tokens.Count : upperEnd;
        bool mixed = upperStart >= 0 && (upperStart > 0 || upperEnd < tokens.Count)
            && tokens.Skip(upperEnd).All(t => !t.IsUpper);
        if (mixed)
        {
            int given = upperStart > 0 ? 0 : upperEnd;
            AddName(field.Page, IdentifierKind.FamilyName, tokens, upperStart, upperEnd - upperStart, offset, results);
            AddName(field.Page, IdentifierKind.GivenName, tokens, given, 1, offset, results);
            return;
        }

        int familyStart = tokens.Count - 1;
        while (familyStart > 1 && tokens[familyStart - 1].IsParticle)
        {
            familyStart--;
        }

        AddName(field.Page, IdentifierKind.FamilyName, tokens, familyStart, tokens.Count - familyStart, offset, results);
        AddName(field.Page, IdentifierKind.GivenName, tokens, 0, 1, offset, results);
    }

    private static void AddName(
        PageReader page, IdentifierKind kind, List<NameToken> tokens, int start, int count, int offset, List<ExtractedIdentifier> results)
    {
        NameToken first = tokens[start];
        NameToken last = tokens[start + count - 1];
        string value = Names.Display(string.Join(' ', tokens.Skip(start).Take(count).Select(t => t.Text)));
        results.Add(page.Create(kind, value, true, offset + first.Start, last.Start + last.Text.Length - first.Start));
    }

    /// <summary>The run of name-like words at the start of <paramref name="text"/>, titles dropped.</summary>
    private static List<NameToken> NameTokens(string text)
    {
        var tokens = new List<NameToken>();
        foreach (Match match in Token().Matches(text))
        {
            string raw = match.Value;
            bool commaAfter = raw.EndsWith(',');
            string word = raw.TrimEnd(',', '.', ';', ':', ')');
            string upper = word.ToUpperInvariant();
            if (Titles.Contains(upper, StringComparer.Ordinal))
            {
                if (commaAfter && tokens.Count > 0)
                {
                    tokens[^1] = tokens[^1] with { CommaAfter = true };
                }

                continue;
            }

            bool particle = tokens.Count > 0 && NameParticles.Contains(word, StringComparer.Ordinal);
            if (!particle && !IsNameWord(word))
            {
                break;
            }

            tokens.Add(new NameToken(word, match.Index, commaAfter, particle, word.Length > 1 && IsUpperWord(word)));
            if (tokens.Count == 6 || (raw.Length > word.Length && !commaAfter))
            {
                break;
            }
        }

        while (tokens.Count > 0 && tokens[^1].IsParticle)
        {
            tokens.RemoveAt(tokens.Count - 1);
        }

        return tokens;
    }

    private static bool IsNameWord(string word) =>
        word.Length > 0 && char.IsUpper(word[0])
        && word.All(c => char.IsLetter(c) || c is '\'' or '\u2019' or '-')
        && char.IsLetter(word[^1]);

    /// <summary>All capitals, allowing the lower-case 'c' of "McDONALD".</summary>
    private static bool IsUpperWord(string word)
    {
        string w = word.StartsWith("Mc", StringComparison.Ordinal) ? word[2..] : word;
        return w.All(c => !char.IsLetter(c) || char.IsUpper(c));
    }

    // ---- unlabelled --------------------------------------------------------------------------------------------------

    [GeneratedRegex(@"(?<![\d\-])(?:\d{3}[ \-]\d{3}[ \-]\d{4}|\d{6} \d{4}|\d{10})(?![\d\-])", RegexOptions.CultureInvariant)]
    private static partial Regex UnlabelledTenDigits();

    /// <summary>A 3-3-4 group with at least one letter read for a digit (e.g. "4O1 O23 2137").</summary>
    [GeneratedRegex(@"(?<![0-9A-Za-z\-])[0-9ODQIlZASGbTBgq]{3}[ \-][0-9ODQIlZASGbTBgq]{3}[ \-][0-9ODQIlZASGbTBgq]{4}(?![0-9A-Za-z\-])", RegexOptions.CultureInvariant)]
    private static partial Regex UnlabelledTenDigitLike();

    private void FindUnlabelledNumbers(PageReader page, List<ExtractedIdentifier> results)
    {
        foreach (Match match in UnlabelledTenDigitLike().Matches(page.Page.Text))
        {
            // Mostly digits: a word like "DOB GAB ..." is not a number. Letters only repaired, never digits guessed, when unlabelled.
            int digitCount = match.Value.Count(char.IsAsciiDigit);
            if (digitCount < 7 || digitCount == 10 || page.IsClaimed(match.Index, match.Length))
            {
                continue;
            }

            Func<string, bool> check = _region == IdentifierRegion.Scotland ? ChiNumber.IsValid : NhsNumber.IsValid;
            if (NhsCorrection.TryCorrect(match.Value, check, allowDigitSubstitution: false) is { } corrected)
            {
                IdentifierKind kind = _region == IdentifierRegion.Scotland ? IdentifierKind.ChiNumber : IdentifierKind.NhsNumber;
                results.Add(page.Create(kind, corrected, true, match.Index, match.Length, UnlabelledFactor * CorrectedFactor) with { IsCorrected = true, Source = EvidenceSource.Layout });
            }
        }

        foreach (Match match in UnlabelledTenDigits().Matches(page.Page.Text))
        {
            if (page.IsClaimed(match.Index, match.Length) || !NhsNumber.TryNormalize(match.Value, out string? digits))
            {
                continue;
            }

            bool grouped = match.Value.Length > 10;
            if (_region == IdentifierRegion.England && grouped && match.Value[6] != ' ' && NhsNumber.HasValidCheckDigit(digits))
            {
                results.Add(page.Create(IdentifierKind.NhsNumber, digits, true, match.Index, match.Length, UnlabelledFactor) with { Source = EvidenceSource.Layout });
            }
            else if (_region == IdentifierRegion.Scotland && ChiNumber.IsValid(digits))
            {
                results.Add(page.Create(IdentifierKind.ChiNumber, digits, true, match.Index, match.Length, UnlabelledFactor) with { Source = EvidenceSource.Layout });
            }
        }
    }

    [GeneratedRegex(@"(?<![A-Za-z0-9])" + Postcode.Pattern + "(?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex PostcodeInText();

    private static void FindPostcodes(PageReader page, List<ExtractedIdentifier> results)
    {
        foreach (Match match in PostcodeInText().Matches(page.Page.Text))
        {
            if (!page.IsClaimed(match.Index, match.Length) && Postcode.TryNormalize(match.Value, out string? postcode))
            {
                results.Add(page.Create(IdentifierKind.Postcode, postcode, true, match.Index, match.Length) with { Source = EvidenceSource.Layout });
            }
        }
    }

    [GeneratedRegex(
        @"^\s*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?<date>" + UkDate.Pattern + @")\s*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex LetterDateLine();

    private static void FindLetterDates(PageReader page, DateOnly today, List<ExtractedIdentifier> results)
    {
        foreach ((int lineStart, string line) in page.Lines)
        {
            Match match = LetterDateLine().Match(line);
            if (match.Success && !page.IsClaimed(lineStart, line.Length) && UkDate.TryFromMatch(match, today, out DateOnly date))
            {
                Group group = match.Groups["date"];
                results.Add(page.Create(
                    IdentifierKind.DocumentDate, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), true, lineStart + group.Index, group.Length));
            }
        }
    }

    /// <summary>"SMITH, John" alone at the start of an addressograph line, or on the line above its DOB / NHS / hospital number.</summary>
    [GeneratedRegex(
        @"^\s*(?<family>(?:Ma?c)?[A-Z][A-Z'\u2019\-]+(?: (?:Ma?c)?[A-Z][A-Z'\u2019\-]+)*)\s?, ?(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master)\.? )?(?<given>[A-Z][A-Za-z'\u2019\-]*[a-z][A-Za-z'\u2019\-]*|[A-Z]{2,})(?: [A-Z][A-Za-z'\u2019\-]*)*\s*$",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex AddressographName();

    private static void FindAddressographNames(PageReader page, List<Field> fields, List<ExtractedIdentifier> results)
    {
        var strongLines = fields
            .Where(f => f.Page == page && f.Label is Label.Nhs or Label.Chi or Label.Hospital or Label.DateOfBirth)
            .Select(f => page.LineOf(f.LabelStart))
            .ToHashSet();
        for (int i = 0; i < page.Lines.Count; i++)
        {
            (int lineStart, string line) = page.Lines[i];
            Field? first = fields.Where(f => f.Page == page && page.LineOf(f.LabelStart) == i).MinBy(f => f.LabelStart);
            string candidate = first is null ? line : line[..(first.LabelStart - lineStart)];
            bool onLabelledLine = first is not null && strongLines.Contains(i);
            bool aboveLabelledLine = first is null && strongLines.Contains(i + 1);
            Match match = AddressographName().Match(candidate);
            if ((onLabelledLine || aboveLabelledLine) && match.Success && !page.IsClaimed(lineStart, candidate.Length))
            {
                Group family = match.Groups["family"];
                Group given = match.Groups["given"];
                results.Add(page.Create(IdentifierKind.FamilyName, Names.Display(family.Value), true, lineStart + family.Index, family.Length) with { Source = EvidenceSource.Layout });
                results.Add(page.Create(IdentifierKind.GivenName, Names.Display(given.Value), true, lineStart + given.Index, given.Length) with { Source = EvidenceSource.Layout });
            }
        }
    }

    // ---- plumbing ----------------------------------------------------------------------------------------------------

    private sealed record NameToken(string Text, int Start, bool CommaAfter, bool IsParticle, bool IsUpper);

    /// <summary>A label on a line and the text it owns: up to the next label or the end of the line (offsets into the page text).</summary>
    private sealed record Field(PageReader Page, Label Label, int LabelStart, int ValueStart, int ValueEnd)
    {
        public string Value => Page.Page.Text[ValueStart..ValueEnd];
    }

    /// <summary>One page's text, its lines, and the page-text offsets of its words.</summary>
    private sealed class PageReader
    {
        private readonly int[] _wordStarts;
        private readonly int[] _wordEnds;
        private readonly List<(int Start, int End)> _claimed = [];

        public PageReader(PageText page)
        {
            Page = page;
            var lines = new List<(int Start, string Text)>();
            int start = 0;
            foreach (string line in page.Text.Split('\n'))
            {
                lines.Add((start, line));
                start += line.Length + 1;
            }

            Lines = lines;
            _wordStarts = new int[page.Words.Count];
            _wordEnds = new int[page.Words.Count];
            int cursor = 0;
            for (int i = 0; i < page.Words.Count; i++)
            {
                string text = page.Words[i].Text;
                int at = text.Length == 0 ? -1 : page.Text.IndexOf(text, cursor, StringComparison.Ordinal);
                _wordStarts[i] = at;
                _wordEnds[i] = at < 0 ? -1 : at + text.Length;
                cursor = at < 0 ? cursor : at + text.Length;
            }
        }

        public PageText Page { get; }

        public IReadOnlyList<(int Start, string Text)> Lines { get; }

        public int LineOf(int offset)
        {
            int line = 0;
            while (line + 1 < Lines.Count && Lines[line + 1].Start <= offset)
            {
                line++;
            }

            return line;
        }

        public bool IsClaimed(int start, int length) =>
            _claimed.Exists(c => c.Start < start + length && start < c.End);

        /// <summary>An identifier read from <c>Text[start..start+length]</c>, with the boxes and minimum confidence of the words under it.</summary>
        public ExtractedIdentifier Create(IdentifierKind kind, string value, bool isValid, int start, int length, double factor = 1)
        {
            int end = start + length;
            _claimed.Add((start, end));
            var boxes = new List<PixelBox>();
            double confidence = 1;
            for (int i = 0; i < _wordStarts.Length; i++)
            {
                if (_wordStarts[i] >= 0 && _wordStarts[i] < end && start < _wordEnds[i])
                {
                    boxes.Add(Page.Words[i].Box);
                    confidence = Math.Min(confidence, Page.Words[i].Confidence / 100.0);
                }
            }

            if (boxes.Count == 0)
            {
                confidence = Page.MeanConfidence / 100.0;
            }

            return new ExtractedIdentifier(
                kind, value, Page.Text[start..end], isValid, Math.Clamp(confidence * factor, 0, 1), Page.PageNumber, boxes);
        }
    }
}
