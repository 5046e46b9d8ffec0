using SkiaSharp;

namespace Digitise.Samples;

internal enum FontKind
{
    Sans = 0,
    SansBold,
    Serif,
    Mono,
}

/// <summary>A drawing instruction. Coordinates are PDF points (1/72 inch) from the page's top-left corner, y down.</summary>
internal abstract record PageElement;

/// <summary>Text whose baseline starts at (<paramref name="X"/>, <paramref name="Y"/>).</summary>
internal sealed record TextElement(float X, float Y, float Size, FontKind Font, string Text) : PageElement;

/// <summary>An unfilled rectangle; <paramref name="Grey"/> 0 is black.</summary>
internal sealed record RectElement(float X, float Y, float Width, float Height, float LineWidth, byte Grey) : PageElement;

internal sealed record LineElement(float X1, float Y1, float X2, float Y2, float LineWidth, byte Grey) : PageElement;

/// <summary>Typefaces shared by layout (measuring) and rendering; DejaVu or Liberation when installed.</summary>
internal static class Fonts
{
    private static readonly SKTypeface SansFace = Match(SKFontStyle.Normal, "DejaVu Sans", "Liberation Sans", "Arial");
    private static readonly SKTypeface SansBoldFace = Match(SKFontStyle.Bold, "DejaVu Sans", "Liberation Sans", "Arial");
    private static readonly SKTypeface SerifFace = Match(SKFontStyle.Normal, "DejaVu Serif", "Liberation Serif", "Times New Roman");
    private static readonly SKTypeface MonoFace = Match(SKFontStyle.Normal, "DejaVu Sans Mono", "Liberation Mono", "Courier New");

    public static SKTypeface Typeface(FontKind kind) => kind switch
    {
        FontKind.SansBold => SansBoldFace,
        FontKind.Serif => SerifFace,
        FontKind.Mono => MonoFace,
        _ => SansFace,
    };

    public static float Measure(FontKind kind, float size, string text)
    {
        using var font = new SKFont(Typeface(kind), size);
        return font.MeasureText(text);
    }

    private static SKTypeface Match(SKFontStyle style, params string[] families)
    {
        foreach (string family in families)
        {
            SKTypeface? face = SKFontManager.Default.MatchFamily(family, style);
            if (face is not null)
            {
                return face;
            }
        }

        return SKTypeface.Default;
    }
}

/// <summary>Builds one A4 page top to bottom with a baseline cursor.</summary>
internal sealed class PageBuilder
{
    public const float PageWidth = 595.28f;
    public const float PageHeight = 841.89f;

    public PageBuilder(float left = 62f, float right = 533f, float bottom = 785f)
    {
        Left = left;
        Right = right;
        Bottom = bottom;
        Y = 40f;
    }

    public float Left { get; }

    public float Right { get; }

    public float Bottom { get; }

    /// <summary>Baseline of the last line placed.</summary>
    public float Y { get; set; }

    public List<PageElement> Elements { get; } = [];

    public bool HasRoom(float size, int lines = 1) => Y + (size * 1.4f * lines) <= Bottom;

    /// <summary>Places one line below the cursor (no wrapping).</summary>
    public void Line(string text, float size = 11f, FontKind font = FontKind.Sans, float indent = 0f)
    {
        Y += size * 1.4f;
        Elements.Add(new TextElement(Left + indent, Y, size, font, text));
    }

    public void At(float x, float y, string text, float size = 11f, FontKind font = FontKind.Sans) =>
        Elements.Add(new TextElement(x, y, size, font, text));

    public void Gap(float points) => Y += points;

    public void Rule(float lineWidth = 0.8f, byte grey = 0)
    {
        Y += 6f;
        Elements.Add(new LineElement(Left, Y, Right, Y, lineWidth, grey));
        Y += 4f;
    }

    /// <summary>Wraps <paramref name="text"/> to the text width; returns the words that did not fit on the page.</summary>
    public string Paragraph(string text, float size = 11f, FontKind font = FontKind.Sans, float indent = 0f, Random? jitter = null)
    {
        string[] words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        float width = Right - Left - indent;
        int i = 0;
        while (i < words.Length)
        {
            if (!HasRoom(size))
            {
                return string.Join(' ', words[i..]);
            }

            string line = words[i++];
            while (i < words.Length && Fonts.Measure(font, size, line + " " + words[i]) <= width)
            {
                line += " " + words[i++];
            }

            float dx = jitter is null ? 0f : (float)(jitter.NextDouble() * 6.0);
            float dy = jitter is null ? 0f : (float)((jitter.NextDouble() - 0.5) * 2.0);
            Y += size * 1.4f;
            Elements.Add(new TextElement(Left + indent + dx, Y + dy, size, font, line));
        }

        return string.Empty;
    }
}
