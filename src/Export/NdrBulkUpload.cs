using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Digitise.Domain;

namespace Digitise.Export;

/// <summary>One filed document of a patient's Lloyd George record, in the order it goes into the upload.</summary>
/// <param name="PdfPath">The searchable PDF on disk.</param>
/// <param name="ScanDate">When the paper was scanned (the SCAN-DATE column).</param>
public sealed record NdrDocument(string DocumentId, string PatientId, string PdfPath, int PageCount, DateOnly ScanDate);

/// <summary>One file of the upload: where it goes (relative to the <c>ndr</c> folder) and its metadata row.</summary>
public sealed record NdrFile(string RelativePath, NdrDocument Document, string NhsNumber, string ScanId);

/// <summary>A patient left out of the upload and why (what the repository itself would have refused).</summary>
public sealed record NdrRejection(string PatientId, string? NhsNumber, string Reason);

/// <summary>What an upload holds: the files per accepted patient, and the patients left out.</summary>
public sealed record NdrUploadPlan(IReadOnlyList<NdrFile> Files, IReadOnlyList<NdrRejection> Rejections);

/// <summary>
/// The layout NHS England's National Document Repository (NDR) accepts for a bulk upload of scanned Lloyd George
/// records: <c>&lt;NHSNo&gt;/&lt;N&gt;of&lt;M&gt;_Lloyd_George_Record_[&lt;Name&gt;]_[&lt;NHSNo&gt;]_[&lt;DD-MM-YYYY&gt;].pdf</c>
/// per file and one <c>metadata.csv</c>. Before anything is written, each patient's set goes through the checks the
/// repository applies on receipt (<see cref="Validate"/>); a patient that fails is left out and listed with the
/// reason, so one bad record does not hold back the rest and nothing is sent that would bounce.
/// </summary>
public static partial class NdrBulkUpload
{
    /// <summary>The metadata.csv header, exactly as the repository reads it.</summary>
    public const string MetadataHeader = "FILEPATH,PAGE COUNT,GP-PRACTICE-CODE,NHS-NO,SECTION,SUB-SECTION,SCAN-DATE,SCAN-ID,USER-ID,UPLOAD";

    /// <summary>Patient names as the repository's file name pattern allows them: letters (accented too), spaces, apostrophes, hyphens.</summary>
    private const string NamePattern = @"[A-Za-z\u00C0-\u017E\u0300-\u036F' -]+";

    [GeneratedRegex(@"^(?<n>[1-9][0-9]*)of(?<m>[1-9][0-9]*)_Lloyd_George_Record_\[(?<name>" + NamePattern + @")\]_\[(?<nhs>[0-9]{10})\]_\[(?<dob>[0-9]{2}-[0-9]{2}-[0-9]{4})\]\.pdf$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNameRegex();

    /// <summary>The file name of part <paramref name="n"/> of <paramref name="m"/> of a patient's record.</summary>
    public static string FileName(int n, int m, Patient patient) => string.Create(CultureInfo.InvariantCulture,
        $"{n}of{m}_Lloyd_George_Record_[{DisplayName(patient)}]_[{patient.NhsNumber}]_[{patient.DateOfBirth:dd-MM-yyyy}].pdf");

    /// <summary>"Given Family" in the MPI's spelling, title case as the repository's own examples write it.</summary>
    public static string DisplayName(Patient patient) => TitleCase(patient.GivenName) + " " + TitleCase(patient.FamilyName);

    /// <summary>
    /// Groups <paramref name="documents"/> by patient (in the order given), names each patient's files 1..M and checks
    /// every set with <see cref="Validate"/>. Patients missing from <paramref name="patients"/>, or with documents
    /// in <paramref name="unresolved"/> (still waiting for a clerk, so the set may be incomplete), are left out.
    /// </summary>
    /// <param name="unresolved">Patient ids with a document not yet filed in this batch, and why.</param>
    public static NdrUploadPlan Plan(
        IEnumerable<NdrDocument> documents, IReadOnlyDictionary<string, Patient> patients, IReadOnlyDictionary<string, string> unresolved, ExportOptions options)
    {
        options.ValidateForNdr();
        var files = new List<NdrFile>();
        var rejections = new List<NdrRejection>();
        foreach (IGrouping<string, NdrDocument> set in documents.GroupBy(d => d.PatientId, StringComparer.Ordinal))
        {
            if (!patients.TryGetValue(set.Key, out Patient? patient))
            {
                rejections.Add(new NdrRejection(set.Key, null, "patient is not on the index"));
                continue;
            }

            if (unresolved.TryGetValue(set.Key, out string? why))
            {
                rejections.Add(new NdrRejection(set.Key, patient.NhsNumber, "record incomplete: " + why));
                continue;
            }

            if (patient.NhsNumber is null || patient.DateOfBirth is null)
            {
                rejections.Add(new NdrRejection(set.Key, patient.NhsNumber, patient.NhsNumber is null ? "no NHS number on the index" : "no date of birth on the index"));
                continue;
            }

            List<NdrDocument> parts = [.. set];
            var names = parts.Select((d, i) => FileName(i + 1, parts.Count, patient)).ToList();
            if (Validate(names, patient) is { } reason)
            {
                rejections.Add(new NdrRejection(set.Key, patient.NhsNumber, reason));
                continue;
            }

            for (int i = 0; i < parts.Count; i++)
            {
                files.Add(new NdrFile(patient.NhsNumber + "/" + names[i], parts[i], patient.NhsNumber, options.ScanIdPrefix + parts[i].DocumentId));
            }
        }

        return new NdrUploadPlan(files, rejections);
    }

    /// <summary>
    /// The repository's checks on one patient's file names, against the index's record of that patient: every name
    /// matches the pattern; the set is 1..M with no gaps or duplicates and agrees on M, name, NHS number and birth
    /// date; the NHS number is valid (modulus 11) and the patient's; the birth date is the patient's; the name matches
    /// the patient strictly (starts with the first given name, ends with the family name, previous family name
    /// allowed) or, failing that, leniently (first given name and family name both present as whole words, any order).
    /// </summary>
    /// <returns>Null when the set would be accepted, otherwise the first reason it would be refused.</returns>
    public static string? Validate(IReadOnlyList<string> fileNames, Patient patient)
    {
        if (fileNames.Count == 0)
        {
            return "no files";
        }

        var parsed = new List<Match>(fileNames.Count);
        foreach (string name in fileNames)
        {
            Match match = FileNameRegex().Match(name);
            if (!match.Success)
            {
                return $"file name does not match the Lloyd George naming convention: {name}";
            }

            parsed.Add(match);
        }

        if (fileNames.Distinct(StringComparer.Ordinal).Count() != fileNames.Count)
        {
            return "two files have the same name";
        }

        if (parsed.Select(m => m.Value[m.Value.IndexOf("of", StringComparison.Ordinal)..]).Distinct(StringComparer.Ordinal).Count() != 1)
        {
            return "file names do not agree with each other (total, name, NHS number or date of birth)";
        }

        int total = int.Parse(parsed[0].Groups["m"].Value, CultureInfo.InvariantCulture);
        var numbers = parsed.Select(m => int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture)).Order().ToList();
        if (numbers.Count != total || !numbers.SequenceEqual(Enumerable.Range(1, total)))
        {
            return numbers.Count < total
                ? string.Create(CultureInfo.InvariantCulture, $"set incomplete: {numbers.Count} of {total} files (missing {string.Join(", ", Enumerable.Range(1, total).Except(numbers))})")
                : string.Create(CultureInfo.InvariantCulture, $"set is not 1..{total}: parts {string.Join(", ", numbers)}");
        }

        string nhs = parsed[0].Groups["nhs"].Value;
        if (!NhsNumber.IsValid(nhs))
        {
            return $"NHS number {nhs} fails the modulus 11 check";
        }

        if (!string.Equals(nhs, patient.NhsNumber, StringComparison.Ordinal))
        {
            return $"NHS number {nhs} is not the patient's";
        }

        if (!DateOnly.TryParseExact(parsed[0].Groups["dob"].Value, "dd-MM-yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly dob)
            || patient.DateOfBirth != dob)
        {
            return "date of birth does not match the index";
        }

        string fileName = parsed[0].Groups["name"].Value;
        return NameMatches(fileName, patient, strict: true) || NameMatches(fileName, patient, strict: false)
            ? null
            : $"name '{fileName}' does not match the index";
    }

    /// <summary>The repository's name check: strict (starts with the given name, ends with the family name) or lenient (both present as words).</summary>
    public static bool NameMatches(string fileName, Patient patient, bool strict)
    {
        string file = Fold(fileName);
        string? given = patient.GivenName.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (given is null)
        {
            return false;
        }

        string first = Fold(given);
        foreach (string family in new[] { patient.FamilyName, patient.PreviousFamilyName }.OfType<string>().Where(f => f.Length > 0).Select(Fold))
        {
            if (strict)
            {
                if (file.StartsWith(first, StringComparison.Ordinal) && file.EndsWith(family, StringComparison.Ordinal))
                {
                    return true;
                }

                continue;
            }

            string[] words = file.Split([' ', '-'], StringSplitOptions.RemoveEmptyEntries);
            string[] familyWords = family.Split([' ', '-'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Contains(first, StringComparer.Ordinal) && familyWords.All(f => words.Contains(f, StringComparer.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>metadata.csv for <paramref name="files"/>, SCAN-DATE and UPLOAD as DD/MM/YYYY.</summary>
    public static string Metadata(IEnumerable<NdrFile> files, ExportOptions options, DateOnly uploadDate)
    {
        var csv = new StringBuilder(MetadataHeader).Append("\r\n");
        foreach (NdrFile file in files)
        {
            string[] cells =
            [
                file.RelativePath,
                file.Document.PageCount.ToString(CultureInfo.InvariantCulture),
                options.GpPracticeCode,
                file.NhsNumber,
                "LG",
                string.Empty,
                file.Document.ScanDate.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture),
                file.ScanId,
                options.ScanUserId,
                uploadDate.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture),
            ];
            csv.AppendJoin(',', cells.Select(Digitise.Text.Csv.Field)).Append("\r\n");
        }

        return csv.ToString();
    }


    /// <summary>
    /// Base letters of U+00C0..U+017F (Latin-1 Supplement and Latin Extended-A), '?' where there is none (Æ, ß, Ø...):
    /// the build runs with invariant globalization, where string.Normalize does not decompose.
    /// </summary>
    private const string LatinBase =
        "AAAAAA?CEEEEIIII?NOOOOO??UUUUY??aaaaaa?ceeeeiiii?nooooo??uuuuy?yAaAaAaCcCcCcCcDd??EeEeEeEeEeGgGgGgGgHh??IiIiIiIiI???JjKk?LlLlLl????NnNnNn???OoOoOo??RrRrRrSsSsSsSsTtTt??UuUuUuUuUuUuWwYyYZzZzZz?";

    /// <summary>Case and accents folded, as the repository compares names (accents dropped, case-insensitive, spaces collapsed).</summary>
    private static string Fold(string text)
    {
        var folded = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c is >= '\u0300' and <= '\u036F')
            {
                continue; // a combining mark (a name already in decomposed form)
            }

            char letter = c is >= '\u00C0' and <= '\u017F' && LatinBase[c - '\u00C0'] != '?' ? LatinBase[c - '\u00C0'] : c;
            folded.Append(char.ToUpperInvariant(letter));
        }

        return string.Join(' ', folded.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The MPI's own spelling when it has mixed case ("McKenzie"), title case when it is all capitals ("MCKENZIE" becomes "Mckenzie").</summary>
    private static string TitleCase(string name) => name.Any(char.IsLower)
        ? name.Trim()
        : CultureInfo.InvariantCulture.TextInfo.ToTitleCase(name.Trim().ToLowerInvariant());
}
