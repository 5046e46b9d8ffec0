using System.Globalization;
using System.Text;
using Digitise.Ocr.Imaging;
using SkiaSharp;

namespace Digitise.Samples.Typed;

/// <summary>A generated typed document's text: its type code, layout family and page texts in reading order.</summary>
public sealed record TypedText(string Code, int Family, IReadOnlyList<string> PageTexts);

/// <summary>
/// Documents of every default document type with varied layouts and wording, for the type classifier: as text (to
/// train and to measure without OCR), or rendered as scanned pages with a <c>types.csv</c> ground truth (to measure
/// through OCR).
/// </summary>
public static class TypedSamples
{
    /// <summary>The layout families training may use; <see cref="HeldOutFamilies"/> are kept for measuring.</summary>
    public static IReadOnlyList<int> TrainingFamilies { get; } = [0, 1, 2];

    public static IReadOnlyList<int> HeldOutFamilies { get; } = [TypedDocumentGenerator.HeldOutFamily];

    public static IReadOnlyList<string> Codes => TypedDocumentGenerator.Codes;

    public static IEnumerable<TypedText> Texts(int count, int seed, IReadOnlyList<int> families) =>
        new TypedDocumentGenerator(seed).Generate(count, families).Select(d => new TypedText(d.Code, d.Family, d.PageTexts));

    /// <summary>
    /// Renders <paramref name="count"/> documents into <paramref name="directory"/> as scanned pages (bitonal G4 TIFF
    /// or grey PNG, 300 DPI, mildly degraded) and writes <c>types.csv</c> (<c>file,document_type,family</c>).
    /// </summary>
    public static void WriteBatch(string directory, int count, int seed, IReadOnlyList<int> families)
    {
        Directory.CreateDirectory(directory);
        var truth = new StringBuilder("file,document_type,family\n");
        int n = 0;
        foreach (TypedDocument document in new TypedDocumentGenerator(seed).Generate(count, families))
        {
            var rng = new Random(seed * 7919 + n);
            bool tiff = rng.Next(2) == 0;
            string file = string.Create(CultureInfo.InvariantCulture, $"typed-{++n:D4}{(tiff ? ".tif" : ".png")}");
            var encoded = new List<byte[]>();
            foreach (List<PageElement> page in tiff ? document.Pages : document.Pages.Take(1))
            {
                var style = ScanStyle.Create(rng.Next(3) == 0 ? "mild" : "clean", 300, rng);
                using SKBitmap bitmap = PageRenderer.Render(page, style, rng);
                encoded.Add(tiff ? PageRenderer.EncodePng(bitmap, 1) : ImageMetadata.WithPngDpi(PageRenderer.EncodePng(bitmap, 6), 300));
            }

            string path = Path.Combine(directory, file);
            if (tiff)
            {
                TiffWriter.Write(path, encoded, TiffCompression.G4, 300);
            }
            else
            {
                File.WriteAllBytes(path, encoded[0]);
            }

            truth.Append(CultureInfo.InvariantCulture, $"{file},{document.Code},{document.Family}\n");
        }

        File.WriteAllText(Path.Combine(directory, "types.csv"), truth.ToString(), new UTF8Encoding(false));
    }
}

/// <summary>
/// The main sample generator's documents (clinic letters, discharge summaries, lab reports, continuation sheets) as
/// text with their types in the default list's codes: documents made another way than <see cref="TypedSamples"/>, to
/// check that the type classifier learned the types and not one generator's templates.
/// </summary>
public static class LegacySampleTexts
{
    public static IEnumerable<TypedText> Texts(int count, int seed)
    {
        var rng = new Random(seed);
        string[] types = [DocumentTypes.ClinicLetter, DocumentTypes.DischargeSummary, DocumentTypes.LabReport, DocumentTypes.ContinuationSheet];
        for (int i = 0; i < count; i++)
        {
            var patient = new SamplePatient
            {
                Nhs = "9434765919",
                HospitalNumber = "RX" + rng.Next(100000, 999999).ToString(CultureInfo.InvariantCulture),
                Family = Names.Family[rng.Next(Names.Family.Length)],
                Given = Names.Female[rng.Next(Names.Female.Length)],
                Dob = new DateOnly(1930, 1, 1).AddDays(rng.Next(30000)),
                Sex = 'F',
                Postcode = "LS6 2AB",
                Address = "1 Acre Close, Leeds",
            };
            string type = types[i % types.Length];
            var plan = new DocumentPlan(patient, "none", patient.Given, patient.Family, rng.Next(4) != 0)
            {
                Number = i + 1,
                DocumentType = type,
                Pages = rng.Next(1, 3),
                DocumentDate = new DateOnly(2018, 1, 1).AddDays(rng.Next(2000)),
            };
            List<List<PageElement>> pages = new DocumentComposer(plan, new Random(rng.Next())).Compose();
            string code = type switch
            {
                DocumentTypes.ClinicLetter => "clinical_letter",
                DocumentTypes.DischargeSummary => "discharge_summary",
                DocumentTypes.LabReport => "laboratory_report",
                _ => "clinical_note",
            };
            yield return new TypedText(code, -1, pages.Select(TypedDocument.TextOf).ToList());
        }
    }
}
