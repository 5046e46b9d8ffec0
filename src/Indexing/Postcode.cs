using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Digitise.Indexing;

/// <summary>UK postcodes ("LS6 2QJ"), including the NHS pseudo-postcodes ZZ99 xxZ.</summary>
public static partial class Postcode
{
    /// <summary>
    /// Outward + inward code. The inward letters never use C, I, K, M, O or V, except in the NHS pseudo-postcodes.
    /// </summary>
    internal const string Pattern = @"(?:ZZ99 ?[0-9][A-Z]Z|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2})";

    [GeneratedRegex("^" + Pattern + "$", RegexOptions.CultureInvariant)]
    private static partial Regex Whole();

    /// <summary>Upper-cases, trims and puts exactly one space before the inward code ("ls62qj" -> "LS6 2QJ").</summary>
    public static bool TryNormalize([NotNullWhen(true)] string? text, [NotNullWhen(true)] out string? postcode)
    {
        postcode = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string compact = text.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        if (compact.Length is < 5 or > 7)
        {
            return false;
        }

        string spaced = $"{compact[..^3]} {compact[^3..]}";
        if (!Whole().IsMatch(spaced))
        {
            return false;
        }

        postcode = spaced;
        return true;
    }
}
