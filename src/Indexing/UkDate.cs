using System.Globalization;
using System.Text.RegularExpressions;

namespace Digitise.Indexing;

/// <summary>Day-month-year dates as printed on UK records: 02/07/1948, 02.07.48, 2-Jul-1948, 2 July 1948, 02-07-1948.</summary>
internal static partial class UkDate
{
    /// <summary>A date at the start of some text; groups d, m (number) or mon (name), y.</summary>
    internal const string Pattern =
        @"(?<d>[0-3]?\d)(?:st|nd|rd|th)?(?:\s*[/.\-]\s*(?<m>[01]?\d)\s*[/.\-]\s*|[\s\-/.,]+(?<mon>(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)\.?[\s\-/.,]+)(?<y>\d{4}|\d{2})(?!\d)";

    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    [GeneratedRegex(@"^\s*" + Pattern, RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex LeadingDate();

    /// <summary>Parses a date at the start of <paramref name="text"/>; two-digit years resolve to not after <paramref name="notAfter"/>.</summary>
    public static bool TryParseLeading(string text, DateOnly notAfter, out DateOnly date, out int length)
    {
        Match match = LeadingDate().Match(text);
        length = match.Success ? match.Length : 0;
        date = default;
        return match.Success && TryFromMatch(match, notAfter, out date);
    }

    public static bool TryFromMatch(Match match, DateOnly notAfter, out DateOnly date)
    {
        date = default;
        int day = int.Parse(match.Groups["d"].ValueSpan, CultureInfo.InvariantCulture);
        int month;
        if (match.Groups["m"].Success)
        {
            month = int.Parse(match.Groups["m"].ValueSpan, CultureInfo.InvariantCulture);
        }
        else
        {
            string name = match.Groups["mon"].Value.ToUpperInvariant();
            month = Array.IndexOf(Months, name[..3]) + 1;
            if (name.Length > 3 && !IsMonthName(name, month))
            {
                return false;
            }
        }

        ReadOnlySpan<char> year = match.Groups["y"].ValueSpan;
        if (year.Length == 2)
        {
            return TryResolveTwoDigitYear(day, month, int.Parse(year, CultureInfo.InvariantCulture), notAfter, out date);
        }

        return TryCreate(int.Parse(year, CultureInfo.InvariantCulture), month, day, out date);
    }

    /// <summary>Picks the latest century that keeps the date on or before <paramref name="notAfter"/>.</summary>
    public static bool TryResolveTwoDigitYear(int day, int month, int yy, DateOnly notAfter, out DateOnly date)
    {
        int anchor = Math.Min(notAfter.Year, 9998);
        int year = (anchor / 100 * 100) + yy;
        for (int i = 0; i < 2; i++, year -= 100)
        {
            if (TryCreate(year, month, day, out date) && date <= notAfter)
            {
                return true;
            }
        }

        date = default;
        return false;
    }

    private static bool TryCreate(int year, int month, int day, out DateOnly date)
    {
        date = default;
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    private static bool IsMonthName(string name, int month)
    {
        string full = CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(month).ToUpperInvariant();
        return full.StartsWith(name, StringComparison.Ordinal) || name is "SEPT";
    }
}
