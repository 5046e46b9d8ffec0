using Digitise.Domain;

namespace Digitise.Indexing.Tests;

/// <summary>Builds documents the way the OCR stage does: words joined by single spaces, lines by '\n'.</summary>
internal static class TestPages
{
    private static readonly SourceFile Source = new("/scans/box1/batch1.tif", "box1/batch1.tif", new string('a', 64), 1024);

    /// <summary>One page per string; each word gets a box from its line and position, and confidence 90 unless listed.</summary>
    public static Document Document(params string[] pages) =>
        new(
            Digitise.Domain.DocumentId.For(Source.Sha256, 1),
            Source,
            1,
            pages.Length,
            [.. pages.Select((text, i) => Page(text, i + 1, pages.Length))]);

    public static PageText Page(string text, int pageNumber = 1, int pageCount = 1, IReadOnlyDictionary<string, float>? confidences = null)
    {
        var words = new List<Word>();
        string[] lines = text.Split('\n');
        for (int line = 0; line < lines.Length; line++)
        {
            string[] parts = lines[line].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (int i = 0; i < parts.Length; i++)
            {
                float confidence = confidences?.GetValueOrDefault(parts[i], 90f) ?? 90f;
                words.Add(new Word(parts[i], BoxFor(line, i), confidence, line));
            }
        }

        string joined = string.Join('\n', lines.Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
        return new PageText(Source, pageNumber, pageCount, joined, words, 90, 2480, 3508, 300, TextOrigin.Ocr, TimeSpan.Zero);
    }

    /// <summary>Word <paramref name="index"/> of line <paramref name="line"/>: 100 px wide, 40 px high, on a 200 x 50 grid.</summary>
    public static PixelBox BoxFor(int line, int index) => new(100 + (index * 200), 100 + (line * 50), 100, 40);

    public static ExtractedIdentifier Id(IdentifierKind kind, string value, bool valid = true) =>
        new(kind, value, value, valid, 0.9, 1, []);
}
