using System.Globalization;
using System.Text;
using Digitise.Domain;
using Digitise.Storage;

namespace Digitise.Cli;

/// <summary>Writes <c>manifest.csv</c> (RFC 4180), atomically: a reader never sees half a manifest.</summary>
internal static class ManifestWriter
{
    public static readonly string[] Columns =
    [
        "source_file", "document_id", "first_page", "last_page", "status", "patient_id", "match_score", "reason",
        "pages", "mean_confidence", "sha256", "qa",
        "searchable_pdf",

        // Appended last: bureaus' scripts read the manifest by position.
        "document_type",
    ];

    public static async Task WriteAsync(string path, IReadOnlyList<ManifestRow> rows, CancellationToken cancellationToken)
    {
        var csv = new StringBuilder();
        csv.AppendJoin(',', Columns).Append('\n');
        foreach (ManifestRow row in rows)
        {
            string[] fields =
            [
                row.SourceFile,
                row.DocumentId,
                row.FirstPage.ToString(CultureInfo.InvariantCulture),
                row.LastPage.ToString(CultureInfo.InvariantCulture),
                row.Status.ToWire(),
                row.PatientId ?? string.Empty,
                row.MatchScore?.ToString("0.000", CultureInfo.InvariantCulture) ?? string.Empty,
                row.Reason,
                row.Pages.ToString(CultureInfo.InvariantCulture),
                row.MeanConfidence.ToString("0.0", CultureInfo.InvariantCulture),
                row.Sha256,
                row.Qa,
                row.SearchablePdf,
                row.DocumentType,
            ];
            csv.AppendJoin(',', fields.Select(Escape)).Append('\n');
        }

        string temp = path + ".tmp";
        await File.WriteAllTextAsync(temp, csv.ToString(), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
    }

    private static string Escape(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
