using System.Globalization;
using System.Text;

namespace Digitise.Export;

/// <summary>
/// A plain printable PDF of text lines: A4 portrait, Helvetica 9 pt (headings bold), long lines wrapped, as many pages
/// as needed, each numbered. Characters outside Latin-1 print as '?'. Enough for a certificate; not a layout engine.
/// </summary>
internal static class TextPdf
{
    private const int PageWidth = 595;
    private const int PageHeight = 842;
    private const int Margin = 40;
    private const int Leading = 12;
    private const int WrapAt = 105;

    public static byte[] Write(string title, IReadOnlyList<(string Text, bool Heading)> lines, DateTimeOffset created)
    {
        var wrapped = new List<(string Text, bool Heading)>();
        foreach ((string text, bool heading) in lines)
        {
            string rest = text;
            do
            {
                int take = Math.Min(rest.Length, WrapAt);
                wrapped.Add((rest[..take], heading));
                rest = rest.Length > take ? "    " + rest[take..] : string.Empty;
            }
            while (rest.Length > 0);
        }

        int perPage = ((PageHeight - (2 * Margin)) / Leading) - 3;
        var pages = wrapped.Chunk(perPage).ToList();
        if (pages.Count == 0)
        {
            pages.Add([]);
        }

        // Objects: 1 catalog, 2 page tree, 3 font, 4 bold font, 5 info, then a page and its content per page.
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [" + string.Join(' ', pages.Select((_, i) => (6 + (2 * i)).ToString(CultureInfo.InvariantCulture) + " 0 R")) + "] /Count " + pages.Count.ToString(CultureInfo.InvariantCulture) + " >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
            "<< /Title " + Literal(title) + " /Producer (Digitise) /CreationDate " + Literal(created.UtcDateTime.ToString("'D:'yyyyMMddHHmmss'Z'", CultureInfo.InvariantCulture)) + " >>",
        };
        for (int p = 0; p < pages.Count; p++)
        {
            var content = new StringBuilder();
            int y = PageHeight - Margin;
            content.Append(CultureInfo.InvariantCulture, $"BT /F2 11 Tf {Margin} {y} Td {Literal(title)} Tj ET\n");
            y -= 2 * Leading;
            foreach ((string text, bool heading) in pages[p])
            {
                content.Append(CultureInfo.InvariantCulture, $"BT /{(heading ? "F2" : "F1")} 9 Tf {Margin} {y} Td {Literal(text)} Tj ET\n");
                y -= Leading;
            }

            content.Append(CultureInfo.InvariantCulture, $"BT /F1 8 Tf {Margin} {Margin / 2} Td {Literal($"Page {p + 1} of {pages.Count}")} Tj ET\n");
            string stream = content.ToString();
            objects.Add(string.Create(CultureInfo.InvariantCulture,
                $"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PageWidth} {PageHeight}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {7 + (2 * p)} 0 R >>"));
            objects.Add(string.Create(CultureInfo.InvariantCulture, $"<< /Length {Latin1.GetByteCount(stream)} >>\nstream\n{stream}endstream"));
        }

        using var output = new MemoryStream();
        Append(output, "%PDF-1.4\n%\u00E2\u00E3\u00CF\u00D3\n");
        var offsets = new List<long>();
        for (int i = 0; i < objects.Count; i++)
        {
            offsets.Add(output.Position);
            Append(output, string.Create(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n"));
        }

        long xref = output.Position;
        var table = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n"));
        foreach (long offset in offsets)
        {
            table.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        table.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        Append(output, table.ToString());
        return output.ToArray();
    }

    private static readonly Encoding Latin1 = Encoding.Latin1;

    private static void Append(Stream stream, string text) => stream.Write(Latin1.GetBytes(text));

    /// <summary>A PDF literal string in WinAnsi (Latin-1 here), with its delimiters escaped.</summary>
    private static string Literal(string text)
    {
        var literal = new StringBuilder("(", text.Length + 2);
        foreach (char ch in text)
        {
            char c = ch > '\u00FF' || char.IsControl(ch) ? '?' : ch;
            if (c is '(' or ')' or '\\')
            {
                literal.Append('\\');
            }

            literal.Append(c);
        }

        return literal.Append(')').ToString();
    }
}
