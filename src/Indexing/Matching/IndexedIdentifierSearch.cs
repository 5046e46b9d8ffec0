using Digitise.Domain;

namespace Digitise.Indexing.Matching;

/// <summary>
/// The index defines the identifiers: every word (or run of up to three words on a line, for numbers printed with spaces)
/// that equals a hospital number on the index is a hospital-number reading, whatever its label, position or format; a
/// ten-digit run that passes the NHS check digit and is on the index is an NHS-number reading. A run one OCR confusion
/// away from exactly one hospital number on the index (DOMAIN.md's confusions, letters for digits and digits for letters)
/// is a corrected reading: evidence to corroborate, never a key on its own. Each run costs a few hash lookups on the
/// index, never a scan of it.
/// </summary>
internal static class IndexedIdentifierSearch
{
    private const int MinLength = 4;
    private const int MaxLength = 16;
    private const int MaxWords = 3;

    /// <summary>What an OCR engine reads for each character, and back (upper case: words are compared upper-cased).</summary>
    private static readonly Dictionary<char, string> Confusions = new()
    {
        ['0'] = "ODQ", ['1'] = "IL", ['2'] = "Z", ['4'] = "A", ['5'] = "S", ['6'] = "GB", ['7'] = "T", ['8'] = "B", ['9'] = "GQ",
        ['O'] = "0", ['D'] = "0", ['Q'] = "09", ['I'] = "1", ['L'] = "1", ['Z'] = "2", ['A'] = "4", ['S'] = "5", ['G'] = "69", ['T'] = "7", ['B'] = "86",
    };

    public static List<ExtractedIdentifier> Find(DocumentWords words, PatientIndex index)
    {
        var found = new List<ExtractedIdentifier>();
        var seen = new HashSet<(int Page, string Value)>();
        for (int line = 0; line < words.Lines.Count; line++)
        {
            IReadOnlyList<DocumentWord> tokens = words.Lines[line];
            for (int first = 0; first < tokens.Count; first++)
            {
                string code = string.Empty;
                for (int last = first; last < tokens.Count && last < first + MaxWords; last++)
                {
                    if (tokens[last].Code.Length == 0)
                    {
                        break;
                    }

                    code += tokens[last].Code;
                    if (code.Length > MaxLength)
                    {
                        break;
                    }

                    if (code.Length < MinLength || !tokens.Skip(first).Take(last - first + 1).Any(t => t.HasDigit))
                    {
                        continue;
                    }

                    if (!seen.Contains((tokens[first].Page, code)))
                    {
                        Lookup(words, index, code, line, first, last, found, seen);
                    }
                }
            }
        }

        return found;
    }

    private static void Lookup(DocumentWords words, PatientIndex index, string code, int line, int first, int last, List<ExtractedIdentifier> found, HashSet<(int, string)> seen)
    {
        int page = words.Lines[line][first].Page;
        if (code.Length == 10 && code.All(char.IsAsciiDigit) && NhsNumber.HasValidCheckDigit(code) && index.FindByNhsNumber(code).Count > 0)
        {
            seen.Add((page, code));
            found.Add(words.Create(IdentifierKind.NhsNumber, code, line, first, last, EvidenceSource.Index));
            return;
        }

        if (index.FindByHospitalNumber(code).Count > 0)
        {
            seen.Add((page, code));
            found.Add(words.Create(IdentifierKind.HospitalNumber, code, line, first, last, EvidenceSource.Index));
            return;
        }

        // One OCR confusion away from exactly one number on the index: a corrected reading.
        string? repaired = null;
        Span<char> variant = stackalloc char[code.Length];
        for (int i = 0; i < code.Length; i++)
        {
            if (!Confusions.TryGetValue(code[i], out string? alternatives))
            {
                continue;
            }

            foreach (char alternative in alternatives)
            {
                code.AsSpan().CopyTo(variant);
                variant[i] = alternative;
                string candidate = new(variant);
                if (index.FindByHospitalNumber(candidate).Count > 0 && candidate != repaired)
                {
                    if (repaired is not null)
                    {
                        return; // two repairs reach the index: the reading cannot choose
                    }

                    repaired = candidate;
                }
            }
        }

        if (repaired is not null && seen.Add((page, repaired)))
        {
            found.Add(words.Create(IdentifierKind.HospitalNumber, repaired, line, first, last, EvidenceSource.Index, corrected: true));
        }
    }
}
