namespace Digitise.Domain;

/// <summary>
/// An axis-aligned box on a page image, in pixels of that page image.
/// Origin is the top-left corner; X grows to the right and Y grows downwards.
/// </summary>
public readonly record struct PixelBox(int Left, int Top, int Width, int Height)
{
    public int Right => Left + Width;

    public int Bottom => Top + Height;

    public static PixelBox Union(PixelBox a, PixelBox b)
    {
        int left = Math.Min(a.Left, b.Left);
        int top = Math.Min(a.Top, b.Top);
        int right = Math.Max(a.Right, b.Right);
        int bottom = Math.Max(a.Bottom, b.Bottom);
        return new PixelBox(left, top, right - left, bottom - top);
    }
}

/// <summary>One recognised word: its text, its box on the page image, and the engine's confidence (0-100).</summary>
/// <param name="LineIndex">Zero-based index of the text line the word belongs to, in reading order.</param>
public sealed record Word(string Text, PixelBox Box, float Confidence, int LineIndex);
