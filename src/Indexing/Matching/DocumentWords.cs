using System.Text;
using Digitise.Domain;

namespace Digitise.Indexing.Matching;

/// <summary>One word of a document, normalised once for the index lookups and candidate searches.</summary>
/// <param name="Page">One-based page number inside the source file.</param>
/// <param name="Line">Index of the word's line in <see cref="DocumentWords.Lines"/>.</param>
/// <param name="Position">Index of the word within its line.</param>
/// <param name="Text">The word as read.</param>
/// <param name="NameKey"><see cref="Names.Key"/> of the word (letters only, upper case, "MAC" folded to "MC").</param>
/// <param name="Code">Letters and digits only, upper case (how identifiers and postcodes compare).</param>
internal sealed record DocumentWord(int Page, int Line, int Position, string Text, string NameKey, string Code, PixelBox? Box, float Confidence)
{
    public bool HasDigit => Code.AsSpan().IndexOfAnyInRange('0', '9') >= 0;
}

/// <summary>
/// A document's words line by line in reading order, built once per document: the matcher looks up tokens on the index
/// and searches for each candidate's own demographics here, so whatever it finds keeps the words' boxes.
/// </summary>
internal sealed class DocumentWords
{
    private readonly Dictionary<string, List<DocumentWord>> _byNameKey = new(StringComparer.Ordinal);

    public DocumentWords(Document document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var lines = new List<IReadOnlyList<DocumentWord>>();
        foreach (PageText page in document.Pages)
        {
            if (page.Words.Count > 0)
            {
                foreach (IGrouping<int, Word> line in page.Words.GroupBy(w => w.LineIndex))
                {
                    AddLine(lines, page.PageNumber, line.Select(w => (w.Text, (PixelBox?)w.Box, w.Confidence)));
                }
            }
            else
            {
                // A page with text but no word boxes (a test page, a stored page without words): words without boxes.
                foreach (string line in page.Text.Split('\n'))
                {
                    AddLine(lines, page.PageNumber, line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => (t, (PixelBox?)null, page.MeanConfidence)));
                }
            }
        }

        Lines = lines;
        foreach (DocumentWord word in lines.SelectMany(l => l))
        {
            if (word.NameKey.Length > 0)
            {
                if (!_byNameKey.TryGetValue(word.NameKey, out List<DocumentWord>? list))
                {
                    _byNameKey[word.NameKey] = list = [];
                }

                list.Add(word);
            }
        }
    }

    public IReadOnlyList<IReadOnlyList<DocumentWord>> Lines { get; }

    /// <summary>Words whose name key is exactly <paramref name="key"/>.</summary>
    public IReadOnlyList<DocumentWord> WithNameKey(string key) => _byNameKey.TryGetValue(key, out List<DocumentWord>? list) ? list : [];

    /// <summary>Every distinct name key on the document.</summary>
    public IEnumerable<string> NameKeys => _byNameKey.Keys;

    /// <summary>An identifier found on words <paramref name="first"/>..<paramref name="last"/> of one line.</summary>
    public ExtractedIdentifier Create(IdentifierKind kind, string value, int line, int first, int last, EvidenceSource source, bool corrected = false)
    {
        IReadOnlyList<DocumentWord> words = Lines[line];
        var boxes = new List<PixelBox>(last - first + 1);
        var raw = new StringBuilder();
        double confidence = 1;
        for (int i = first; i <= last; i++)
        {
            if (words[i].Box is PixelBox box)
            {
                boxes.Add(box);
            }

            raw.Append(i > first ? " " : string.Empty).Append(words[i].Text);
            confidence = Math.Min(confidence, words[i].Confidence / 100.0);
        }

        return new ExtractedIdentifier(kind, value, raw.ToString(), true, Math.Clamp(corrected ? confidence * 0.5 : confidence, 0, 1), words[first].Page, boxes)
        {
            IsCorrected = corrected,
            Source = source,
        };
    }

    private static void AddLine(List<IReadOnlyList<DocumentWord>> lines, int page, IEnumerable<(string Text, PixelBox? Box, float Confidence)> words)
    {
        var line = new List<DocumentWord>();
        foreach ((string text, PixelBox? box, float confidence) in words)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            line.Add(new DocumentWord(page, lines.Count, line.Count, text, Names.Key(text), Code(text), box, confidence));
        }

        if (line.Count > 0)
        {
            lines.Add(line);
        }
    }

    private static string Code(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(char.ToUpperInvariant(c));
            }
        }

        return builder.ToString();
    }
}
