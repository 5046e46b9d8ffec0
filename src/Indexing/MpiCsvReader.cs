using System.Globalization;
using System.Text;
using Digitise.Domain;
using Digitise.Text;

namespace Digitise.Indexing;

/// <summary>A row of the MPI file that was rejected or kept with a note. Never contains patient data.</summary>
/// <param name="LineNumber">One-based physical line on which the row starts (the header is line 1).</param>
public sealed record MpiRowIssue(int LineNumber, string Reason);

/// <summary>The patients read from an MPI file, the rows rejected, and notes on rows kept.</summary>
public sealed record MpiReadResult(IReadOnlyList<Patient> Patients, IReadOnlyList<MpiRowIssue> Errors, IReadOnlyList<MpiRowIssue> Warnings)
{
    /// <summary>MPI merges: the retired patient id and the id of the patient it was merged into (CSV <c>merged_into</c>, FHIR <c>link</c> replaced-by).</summary>
    public IReadOnlyList<(string Retired, string Survivor)> Merges { get; init; } = [];
}

/// <summary>
/// Reads the master patient index from CSV (RFC 4180: quoted fields may hold commas, quotes and line breaks). Columns are
/// found by header name in any order: patient_id, nhs_number, hospital_number, family_name, given_name, date_of_birth
/// (yyyy-MM-dd), sex, postcode, address, and optionally previous_family_name (a maiden or earlier name) and merged_into (the
/// row's patient was merged into that patient id: a merge, not a patient); others are ignored. A bad row is reported by line number, never thrown.
/// </summary>
public static class MpiCsvReader
{
    private static readonly string[] Columns =
        ["patient_id", "nhs_number", "hospital_number", "family_name", "given_name", "date_of_birth", "sex", "postcode", "address", "previous_family_name", "merged_into"];

    public static MpiReadResult ReadFile(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader);
    }

    /// <exception cref="InvalidDataException">The file is empty or its header has no patient_id column.</exception>
    public static MpiReadResult Read(TextReader reader)
    {
        using IEnumerator<CsvRecord> records = Csv.ReadRecords(reader).GetEnumerator();
        if (!records.MoveNext())
        {
            throw new InvalidDataException("The MPI file is empty: expected a header row naming the columns.");
        }

        string[] header = [.. records.Current.Fields.Select(h => h.Trim().TrimStart('\uFEFF').ToLowerInvariant())];
        int[] index = [.. Columns.Select(c => Array.IndexOf(header, c))];
        if (index[0] < 0)
        {
            throw new InvalidDataException("The MPI file's header has no patient_id column.");
        }

        var patients = new List<Patient>();
        var errors = new List<MpiRowIssue>();
        var warnings = new List<MpiRowIssue>();
        var merges = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (records.MoveNext())
        {
            (int line, IReadOnlyList<string> fields, string? error) = records.Current;
            if (records.Current.IsEmpty)
            {
                continue;
            }

            if (error is not null)
            {
                errors.Add(new MpiRowIssue(line, error));
                continue;
            }

            if (fields.Count != header.Length)
            {
                errors.Add(new MpiRowIssue(line, $"expected {header.Length} fields, found {fields.Count}"));
                continue;
            }

            string? Get(int column) => index[column] < 0 ? null : NullIfEmpty(fields[index[column]]);
            if (Get(10) is { } survivor)
            {
                if (Get(0) is not { } retired)
                {
                    errors.Add(new MpiRowIssue(line, "missing patient_id"));
                }
                else if (!seen.Add(retired))
                {
                    errors.Add(new MpiRowIssue(line, "duplicate patient_id"));
                }
                else if (retired == survivor)
                {
                    errors.Add(new MpiRowIssue(line, "merged_into names the row's own patient_id"));
                }
                else
                {
                    merges.Add((retired, survivor));
                }

                continue;
            }

            (Patient? patient, string? rowError) = ParseRow(Get, line, warnings);
            if (patient is null)
            {
                errors.Add(new MpiRowIssue(line, rowError ?? "invalid row"));
            }
            else if (!seen.Add(patient.PatientId))
            {
                errors.Add(new MpiRowIssue(line, "duplicate patient_id"));
            }
            else
            {
                patients.Add(patient);
            }
        }

        return new MpiReadResult(patients, errors, warnings) { Merges = merges };
    }

    private static (Patient? Patient, string? Error) ParseRow(Func<int, string?> get, int line, List<MpiRowIssue> warnings)
    {
        string? id = get(0);
        if (id is null)
        {
            return (null, "missing patient_id");
        }

        DateOnly? dateOfBirth = null;
        if (get(5) is { } dob)
        {
            if (!DateOnly.TryParseExact(dob, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly parsed))
            {
                return (null, "bad date_of_birth: expected yyyy-MM-dd");
            }

            dateOfBirth = parsed;
        }

        string? nhsNumber = null;
        if (get(1) is { } nhs)
        {
            if (!NhsNumber.TryNormalize(nhs, out nhsNumber))
            {
                warnings.Add(new MpiRowIssue(line, "nhs_number is not ten digits: ignored"));
            }
            else if (!NhsNumber.HasValidCheckDigit(nhsNumber))
            {
                warnings.Add(new MpiRowIssue(line, "nhs_number fails the check digit: kept as given"));
            }
        }

        string? postcode = get(7);
        if (postcode is not null && Postcode.TryNormalize(postcode, out string? normalised))
        {
            postcode = normalised;
        }

        string? sex = get(6)?.ToUpperInvariant() switch
        {
            null => null,
            "M" or "MALE" => "M",
            "F" or "FEMALE" => "F",
            { } other => other,
        };

        string? hospital = get(2) is { } h ? InMemoryPatientIndex.HospitalKey(h) : null;
        var patient = new Patient(
            id,
            nhsNumber,
            string.IsNullOrEmpty(hospital) ? null : hospital,
            Names.Display(get(3) ?? string.Empty),
            Names.Display(get(4) ?? string.Empty),
            dateOfBirth,
            sex,
            postcode?.ToUpperInvariant(),
            get(8))
        {
            PreviousFamilyName = get(9) is { } previous ? Names.Display(previous) : null,
        };
        return (patient, null);
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
