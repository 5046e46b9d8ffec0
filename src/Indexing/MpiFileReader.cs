using System.Text;
using Digitise.Domain;

namespace Digitise.Indexing;

/// <summary>The formats an MPI file may come in.</summary>
public enum MpiFileFormat
{
    Csv,
    FhirBundle,
}

/// <summary>
/// Reads an MPI file whatever its format, told by content rather than extension: JSON (first non-blank character
/// <c>{</c>) is a FHIR R4 Bundle of Patient resources (<see cref="FhirPatientReader"/>), anything else is CSV
/// (<see cref="MpiCsvReader"/>). Both give patients to add or change and merges (retired id -&gt; survivor id).
/// </summary>
public static class MpiFileReader
{
    /// <exception cref="InvalidDataException">The file is not a readable MPI (empty, no patient_id column, not a FHIR Bundle).</exception>
    public static MpiReadResult Read(string path, out MpiFileFormat format)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        format = Detect(stream);
        stream.Position = 0;
        if (format == MpiFileFormat.Csv)
        {
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
            return MpiCsvReader.Read(reader);
        }

        (IReadOnlyList<Patient> patients, IReadOnlyList<(string Retired, string Survivor)> merges) = ReadFhir(stream);
        return new MpiReadResult(patients, [], []) { Merges = merges };
    }

    /// <summary>JSON when the first character after a byte-order mark and white space is <c>{</c>; CSV otherwise.</summary>
    public static MpiFileFormat Detect(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> head = stackalloc byte[512];
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        ReadOnlySpan<byte> text = head[..read];
        if (text.StartsWith("\uFEFF"u8))
        {
            text = text[3..];
        }

        foreach (byte b in text)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            return b == (byte)'{' ? MpiFileFormat.FhirBundle : MpiFileFormat.Csv;
        }

        return MpiFileFormat.Csv;
    }

    private static (IReadOnlyList<Patient>, IReadOnlyList<(string, string)>) ReadFhir(Stream stream)
    {
        try
        {
            return FhirPatientReader.ReadBundle(stream);
        }
        catch (Exception ex) when (ex is not (InvalidDataException or IOException or OutOfMemoryException))
        {
            // The FHIR SDK reports bad JSON and bad resources with its own exception types; callers see one kind.
            throw new InvalidDataException($"The file is not a readable FHIR R4 Bundle of Patient resources: {ex.Message}", ex);
        }
    }
}
