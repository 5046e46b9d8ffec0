using System.Globalization;
using System.Text;
using SkiaSharp;

namespace Digitise.Samples;

/// <summary>How a page of a <see cref="ReadabilitySamples"/> set was made: what the unreadable-page flag must tell apart.</summary>
public enum ReadabilityKind
{
    /// <summary>Typed clinical text, scanned cleanly or roughly: readable, must not be flagged.</summary>
    Typed = 0,

    /// <summary>A handwritten clinical note (handwriting and script fonts, uneven baselines, wandering size and slant).</summary>
    Handwritten,

    /// <summary>A typed page scanned so faintly, blurred and noisily that OCR cannot read it.</summary>
    PoorScan,
}

/// <summary>One generated page: its file (a grey PNG with its resolution), what it is and the text drawn on it.</summary>
public sealed record ReadabilityPage(string File, ReadabilityKind Kind, int Dpi, string Text, string NhsNumber, DateOnly DateOfBirth);

/// <summary>
/// Pages for the unreadable-page flag: typed pages, handwritten notes (Debian's handwriting and script fonts, each
/// word on its own wandering baseline, size and slant) and very poor scans of typed pages, each with the text drawn
/// on it and the patient identifiers it names. Deterministic for a seed. Handwriting fonts come from
/// <c>scripts/setup</c> (fonts-dkg-handwriting, fonts-kristi, fonts-dancingscript, fonts-ecolier-court, fonts-breip,
/// fonts-femkeklaver); <see cref="HandwritingFonts"/> lists the ones found.
/// </summary>
public static class ReadabilitySamples
{
    private static readonly string[] HandwritingFamilies = ["DkgHandwriting", "Kristi", "Dancing Script", "Ecolier_court", "Breip", "femkeklaver"];

    private static readonly string[] TypedFamilies = ["DejaVu Serif", "DejaVu Sans", "Nimbus Roman", "Nimbus Sans", "C059", "P052"];

    private static readonly string[] Notes =
    [
        "Seen on ward round today. Comfortable overnight, eating and drinking.",
        "Chest clear, heart sounds normal, abdomen soft and non tender.",
        "Plan to continue antibiotics for a further five days then review.",
        "Bloods this morning show improving inflammatory markers.",
        "Discussed with the family, who are happy with the plan.",
        "Mobilising with the physiotherapist, aim for discharge on Friday.",
        "Pain well controlled on regular paracetamol.",
        "Wound inspected, clean and dry, dressing changed.",
        "Blood pressure stable, fluid balance positive by one litre.",
        "For repeat chest X-ray tomorrow and review by the registrar.",
        "Patient reports less breathlessness and slept well.",
        "Referred to the dietitian for advice on weight loss.",
    ];

    /// <summary>The handwriting families installed on this machine (the generator needs at least one).</summary>
    public static IReadOnlyList<string> HandwritingFonts { get; } = [.. HandwritingFamilies.Where(Installed)];

    /// <summary>Writes <paramref name="typed"/> + <paramref name="handwritten"/> + <paramref name="poor"/> pages as PNGs into <paramref name="directory"/>.</summary>
    public static IReadOnlyList<ReadabilityPage> Generate(string directory, int typed, int handwritten, int poor, int seed)
    {
        if (handwritten > 0 && HandwritingFonts.Count == 0)
        {
            throw new InvalidOperationException("No handwriting font is installed; run scripts/setup (fonts-dkg-handwriting, fonts-kristi, ...).");
        }

        Directory.CreateDirectory(directory);
        var rng = new Random(seed);
        var factory = new PatientFactory(rng);
        var kinds = Enumerable.Repeat(ReadabilityKind.Typed, typed)
            .Concat(Enumerable.Repeat(ReadabilityKind.Handwritten, handwritten))
            .Concat(Enumerable.Repeat(ReadabilityKind.PoorScan, poor));
        var pages = new List<ReadabilityPage>();
        int n = 0;
        foreach (ReadabilityKind kind in kinds)
        {
            SamplePatient patient = factory.Create();
            int dpi = kind == ReadabilityKind.PoorScan ? (rng.Next(2) == 0 ? 150 : 200) : (rng.Next(3) == 0 ? 200 : 300);
            string file = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{kind.ToString().ToLowerInvariant()}-{++n:D3}.png"));
            string text = Render(kind, patient, dpi, new Random(rng.Next()), file);
            pages.Add(new ReadabilityPage(file, kind, dpi, text, patient.Nhs, patient.Dob));
        }

        return pages;
    }

    private static string Render(ReadabilityKind kind, SamplePatient patient, int dpi, Random rng, string file)
    {
        float scale = dpi / 72f;
        int width = (int)Math.Round(PageBuilder.PageWidth * scale);
        int height = (int)Math.Round(PageBuilder.PageHeight * scale);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        byte background = kind == ReadabilityKind.PoorScan ? (byte)rng.Next(200, 235) : (byte)rng.Next(235, 256);
        canvas.Clear(new SKColor(background, background, background));
        canvas.Scale(scale);

        // Poor scans: ink barely darker than the paper, and blurred; the rest dark ink, lightly softened.
        byte inkGrey = kind == ReadabilityKind.PoorScan ? (byte)Math.Min(background - 22, rng.Next(175, 200)) : (byte)rng.Next(0, 70);
        using var ink = new SKPaint { Color = new SKColor(inkGrey, inkGrey, inkGrey), IsAntialias = true };
        float blurPixels = kind == ReadabilityKind.PoorScan ? 2.2f + (float)(rng.NextDouble() * 1.5) : (float)(rng.NextDouble() * 0.6);
        if (blurPixels > 0.05f)
        {
            ink.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, blurPixels / scale);
        }

        var lines = new List<string>
        {
            $"{patient.Given} {patient.Family}",
            $"NHS No {NhsNumbers.Format(patient.Nhs, rng.Next(3))}",
            $"DOB {patient.Dob.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)}",
            $"Hosp No {patient.HospitalNumber}",
            string.Empty,
        };
        int notes = rng.Next(8, 14);
        for (int i = 0; i < notes; i++)
        {
            lines.Add(Notes[rng.Next(Notes.Length)]);
        }

        var truth = new StringBuilder();
        if (kind == ReadabilityKind.Handwritten)
        {
            DrawHandwriting(canvas, ink, lines, rng, truth);
        }
        else
        {
            DrawTyped(canvas, ink, lines, rng, truth);
        }

        canvas.ResetMatrix();
        if (kind == ReadabilityKind.PoorScan)
        {
            AddNoise(canvas, width, height, rng, count: rng.Next(20_000, 50_000));
        }
        else
        {
            AddNoise(canvas, width, height, rng, count: rng.Next(0, 800));
        }

        canvas.Flush();
        File.WriteAllBytes(file, ImageMetadata.WithPngDpi(PageRenderer.EncodePng(bitmap, zlibLevel: 6), dpi));
        return truth.ToString();
    }

    private static void DrawTyped(SKCanvas canvas, SKPaint ink, List<string> lines, Random rng, StringBuilder truth)
    {
        SKTypeface face = Typeface(TypedFamilies[rng.Next(TypedFamilies.Length)]);
        float size = 10.5f + (float)(rng.NextDouble() * 2.5);
        using var font = new SKFont(face, size);
        float y = 72;
        foreach (string line in lines)
        {
            foreach (string wrapped in Wrap(line, font, PageBuilder.PageWidth - 144))
            {
                canvas.DrawText(wrapped, 72, y, SKTextAlign.Left, font, ink);
                truth.Append(wrapped).Append('\n');
                y += size * 1.5f;
            }

            if (line.Length == 0)
            {
                y += size;
            }
        }
    }

    /// <summary>Word by word: each on a baseline that wanders, at a size and slant that drift, in one hand per page.</summary>
    private static void DrawHandwriting(SKCanvas canvas, SKPaint ink, List<string> lines, Random rng, StringBuilder truth)
    {
        string family = HandwritingFonts[rng.Next(HandwritingFonts.Count)];
        SKTypeface face = Typeface(family);
        float size = 13f + (float)(rng.NextDouble() * 5);
        float lineSlope = (float)((rng.NextDouble() - 0.5) * 0.06);
        float y = 80;
        float right = PageBuilder.PageWidth - 60;
        foreach (string line in lines)
        {
            float x = 60 + (float)(rng.NextDouble() * 20);
            float baseline = y;
            var written = new List<string>();
            foreach (string word in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                float wordSize = size * (0.85f + (float)(rng.NextDouble() * 0.3));
                using var font = new SKFont(face, wordSize) { SkewX = (float)((rng.NextDouble() - 0.6) * 0.35) };
                float w = font.MeasureText(word);
                if (x + w > right && written.Count > 0)
                {
                    truth.Append(string.Join(' ', written)).Append('\n');
                    written.Clear();
                    y += size * 1.7f;
                    x = 60 + (float)(rng.NextDouble() * 20);
                    baseline = y;
                }

                baseline += (float)((rng.NextDouble() - 0.5) * size * 0.35) + (w * lineSlope);
                canvas.Save();
                canvas.RotateDegrees((float)((rng.NextDouble() - 0.5) * 8), x, baseline);
                canvas.DrawText(word, x, baseline, SKTextAlign.Left, font, ink);
                canvas.Restore();
                written.Add(word);
                x += w + (size * (0.25f + (float)(rng.NextDouble() * 0.5)));
            }

            if (written.Count > 0)
            {
                truth.Append(string.Join(' ', written)).Append('\n');
            }

            y += size * (line.Length == 0 ? 1.0f : 1.7f);
        }
    }

    private static IEnumerable<string> Wrap(string line, SKFont font, float width)
    {
        var current = new StringBuilder();
        foreach (string word in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = current.Length == 0 ? word : current + " " + word;
            if (current.Length > 0 && font.MeasureText(candidate) > width)
            {
                yield return current.ToString();
                current.Clear().Append(word);
            }
            else
            {
                current.Clear().Append(candidate);
            }
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }

    private static void AddNoise(SKCanvas canvas, int width, int height, Random rng, int count)
    {
        using var dirt = new SKPaint { IsAntialias = true };
        for (int i = 0; i < count; i++)
        {
            byte g = (byte)rng.Next(60, 200);
            dirt.Color = new SKColor(g, g, g);
            canvas.DrawCircle((float)(rng.NextDouble() * width), (float)(rng.NextDouble() * height), 0.5f + (float)(rng.NextDouble() * 1.5), dirt);
        }
    }

    private static bool Installed(string family) =>
        SKFontManager.Default.MatchFamily(family) is { } face && string.Equals(face.FamilyName, family, StringComparison.OrdinalIgnoreCase);

    private static SKTypeface Typeface(string family) => SKFontManager.Default.MatchFamily(family) ?? SKTypeface.Default;
}
