using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Digitise.Domain;
using Digitise.Storage;

namespace Digitise.Data.Sqlite;

/// <summary>
/// How domain values are written to columns: wire names for enums, ISO-8601 text for instants and dates,
/// and compact JSON for word boxes, identifier boxes and candidate evidence.
/// </summary>
/// <remarks>
/// JSON shapes (boxes are page-image pixels, origin top-left, as <see cref="PixelBox"/>: <c>[left, top, width, height]</c>):
/// <list type="bullet">
/// <item>pages.words_json: <c>[{"t":"text","b":[l,t,w,h],"c":91.5,"l":0}, ...]</c> (c = confidence 0-100, l = line index)</item>
/// <item>identifiers.boxes_json: <c>[[l,t,w,h], ...]</c></item>
/// <item>candidates.fields_json: <c>[{"f":"nhs_number","l":"exact","w":0.9,"s":"label"}, ...]</c> (s = where the value was found: label, layout, index or search)</item>
/// </list>
/// </remarks>
internal static class SqliteColumns
{
    // Stored, never rendered as HTML: keep non-ASCII text (names, accents) readable and compact.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>SQLite stores NaN as NULL; a confidence the engine could not compute is stored as 0.</summary>
    public static double Finite(double value) => double.IsFinite(value) ? value : 0;

    public static string Instant(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Date(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly ParseDate(string value) => DateOnly.ParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Origin(TextOrigin origin) => origin switch
    {
        TextOrigin.Ocr => "ocr",
        TextOrigin.PdfTextLayer => "pdf_text_layer",
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    /// <summary>The kind a stored <c>kind</c> value names; null for one this build does not know.</summary>
    public static IdentifierKind? ParseKind(string kind) =>
        Enum.GetValues<IdentifierKind>().Cast<IdentifierKind?>().FirstOrDefault(k => Kind(k!.Value) == kind);

    /// <summary>One document's identifiers for training, with its latest clerk label when it has one (both model stores).</summary>
    public static LabelledIdentifiers Labelled(string documentId, List<ExtractedIdentifier> ids, Dictionary<string, (string Status, string? Patient)> labels) =>
        labels.TryGetValue(documentId, out var label)
            ? new LabelledIdentifiers(documentId, ids, label.Status, label.Patient)
            : new LabelledIdentifiers(documentId, ids, null, null);

    public static string Kind(IdentifierKind kind) => kind switch
    {
        IdentifierKind.NhsNumber => "nhs_number",
        IdentifierKind.ChiNumber => "chi_number",
        IdentifierKind.HospitalNumber => "hospital_number",
        IdentifierKind.DateOfBirth => "date_of_birth",
        IdentifierKind.FamilyName => "family_name",
        IdentifierKind.GivenName => "given_name",
        IdentifierKind.Postcode => "postcode",
        IdentifierKind.DocumentDate => "document_date",
        IdentifierKind.Sex => "sex",
        IdentifierKind.Address => "address",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string Words(IReadOnlyList<Word> words)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, words.Count * 48));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            foreach (Word word in words)
            {
                writer.WriteStartObject();
                writer.WriteString("t", word.Text);
                writer.WritePropertyName("b");
                WriteBox(writer, word.Box);
                writer.WriteNumber("c", float.IsFinite(word.Confidence) ? word.Confidence : 0f);
                writer.WriteNumber("l", word.LineIndex);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string Boxes(IReadOnlyList<PixelBox> boxes)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(64, boxes.Count * 24));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            foreach (PixelBox box in boxes)
            {
                WriteBox(writer, box);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string Fields(IReadOnlyList<FieldComparison> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(64, fields.Count * 48));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            foreach (FieldComparison field in fields)
            {
                writer.WriteStartObject();
                writer.WriteString("f", field.Field);
                writer.WriteString("l", field.Level);
                writer.WriteNumber("w", Finite(field.Weight));
                if (field.Source is not null)
                {
                    writer.WriteString("s", field.Source);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads what <see cref="Words"/> wrote.</summary>
    public static IReadOnlyList<Word> ParseWords(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        var words = new List<Word>(document.RootElement.GetArrayLength());
        foreach (JsonElement word in document.RootElement.EnumerateArray())
        {
            JsonElement box = word.GetProperty("b");
            words.Add(new Word(
                word.GetProperty("t").GetString() ?? string.Empty,
                new PixelBox(box[0].GetInt32(), box[1].GetInt32(), box[2].GetInt32(), box[3].GetInt32()),
                word.GetProperty("c").GetSingle(),
                word.GetProperty("l").GetInt32()));
        }

        return words;
    }

    private static void WriteBox(Utf8JsonWriter writer, PixelBox box)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(box.Left);
        writer.WriteNumberValue(box.Top);
        writer.WriteNumberValue(box.Width);
        writer.WriteNumberValue(box.Height);
        writer.WriteEndArray();
    }
}
