namespace Digitise.Indexing.Matching;

/// <summary>The fields the Fellegi-Sunter model compares and their comparison levels, best first (the names in <see cref="Domain.FieldComparison"/>).</summary>
public static class MatchFields
{
    public const string Nhs = "nhs_number";
    public const string Hospital = "hospital_number";
    public const string DateOfBirth = "date_of_birth";
    public const string FamilyName = "family_name";
    public const string GivenName = "given_name";
    public const string Sex = "sex";
    public const string Postcode = "postcode";

    public const string Exact = "exact";
    public const string Corrected = "corrected";
    public const string Swapped = "day_month_swapped";
    public const string OneDigit = "one_digit";
    public const string YearOnly = "year_only";
    public const string PreviousName = "previous_name";

    /// <summary>Given and family name read the wrong way round (surname first without a comma): a level of its own, as in Splink.</summary>
    public const string NamesSwapped = "names_swapped";
    public const string JaroWinklerHigh = "jw_0.92";
    public const string Phonetic = "phonetic";
    public const string JaroWinklerMid = "jw_0.80";
    public const string Nickname = "nickname";
    public const string Close = "close";
    public const string Initial = "initial";
    public const string Outward = "outward";
    public const string Different = "different";
    public const string Absent = "absent";

    /// <summary>Pseudo-fields appended to every candidate's explanation: the prior odds and the total match weight.</summary>
    public const string PriorField = "prior";
    public const string TotalField = "total";

    /// <summary>Every field in the order it is explained, with its levels best first.</summary>
    public static IReadOnlyList<(string Field, string[] Levels)> Levels { get; } =
    [
        (Nhs, [Exact, Corrected, Different, Absent]),
        (Hospital, [Exact, Corrected, Different, Absent]),
        (DateOfBirth, [Exact, Swapped, OneDigit, YearOnly, Different, Absent]),
        (FamilyName, [Exact, PreviousName, NamesSwapped, JaroWinklerHigh, Phonetic, JaroWinklerMid, Different, Absent]),
        (GivenName, [Exact, Nickname, NamesSwapped, Close, Initial, Different, Absent]),
        (Sex, [Exact, Different, Absent]),
        (Postcode, [Exact, Outward, Different, Absent]),
    ];

    public static int FieldCount => Levels.Count;
}
