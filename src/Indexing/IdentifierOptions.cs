using System.Globalization;
using System.Text.RegularExpressions;
using Digitise.Hosting;

namespace Digitise.Indexing;

/// <summary>Which national number an unlabelled ten-digit number is taken to be.</summary>
public enum IdentifierRegion
{
    /// <summary>England, Wales, Isle of Man (and Northern Ireland): NHS numbers.</summary>
    England = 0,

    /// <summary>NHSScotland: CHI numbers.</summary>
    Scotland,
}

/// <summary>Per-site settings for <see cref="IdentifierExtractor"/>.</summary>
public sealed class IdentifierOptions
{
    /// <summary>
    /// Regular expressions a hospital (case-note, MRN, unit) number must match, tried against the upper-cased value
    /// without spaces. Local to each trust; the default covers forms like RXH1234567, K123456 and M0012345.
    /// </summary>
    public IReadOnlyList<string> HospitalNumberPatterns { get; init; } = [@"^[A-Z]{1,3}\d{6,7}$"];

    /// <summary>How to read an unlabelled ten-digit number (3-3-4 groups): NHS number or CHI number.</summary>
    public IdentifierRegion Region { get; init; } = IdentifierRegion.England;

    /// <exception cref="ConfigurationException">A pattern is not a valid regular expression; the message names which.</exception>
    public void Validate()
    {
        ConfigurationException.ThrowIfNot(HospitalNumberPatterns.Count > 0, "Identifiers:HospitalNumberPatterns", "[]", "must hold at least one pattern");
        for (int i = 0; i < HospitalNumberPatterns.Count; i++)
        {
            string setting = string.Create(CultureInfo.InvariantCulture, $"Identifiers:HospitalNumberPatterns:{i}");
            try
            {
                _ = new Regex(HospitalNumberPatterns[i], RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException ex)
            {
                throw new ConfigurationException(setting, HospitalNumberPatterns[i], "is not a valid regular expression: " + ex.Message.Split(" (Parameter", 2)[0], ex);
            }
        }
    }
}
