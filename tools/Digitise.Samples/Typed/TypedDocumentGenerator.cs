using System.Globalization;
using System.Text;

namespace Digitise.Samples.Typed;

/// <summary>One generated document of a known type: its pages (for rendering) and its text in reading order.</summary>
internal sealed record TypedDocument(string Code, int Family, IReadOnlyList<List<PageElement>> Pages)
{
    /// <summary>The page texts as a reader would see them: elements by line (top to bottom), then left to right.</summary>
    public IReadOnlyList<string> PageTexts => Pages.Select(TextOf).ToList();

    public static string TextOf(IEnumerable<PageElement> elements) => string.Join('\n', elements
        .OfType<TextElement>()
        .GroupBy(e => (int)MathF.Round(e.Y / 4f))
        .OrderBy(g => g.Key)
        .Select(g => string.Join(' ', g.OrderBy(e => e.X).Select(e => e.Text))));
}

/// <summary>
/// Writes documents of every default type (<see cref="TypedDocumentSpecs"/>) with varied layouts and wording, for
/// training and measuring the document-type classifier. Separate from <see cref="SampleGenerator"/>, whose batch
/// stays as it is: this generator only decides what a page says and where, and reuses the page renderer.
/// </summary>
internal sealed class TypedDocumentGenerator
{
    /// <summary>The layout family of every type that training never sees.</summary>
    public const int HeldOutFamily = 3;

    private static readonly string[] Practices = ["Riverside Surgery", "Moor Lane Medical Centre", "The Health Centre", "Parkview Group Practice", "Abbey Road Surgery"];

    private readonly Random _rng;

    public TypedDocumentGenerator(int seed) => _rng = new Random(seed);

    public static IReadOnlyList<string> Codes => TypedDocumentSpecs.All.Select(s => s.Code).ToList();

    /// <summary>Documents cycling through every type, each in a family drawn from <paramref name="families"/>.</summary>
    public IEnumerable<TypedDocument> Generate(int count, IReadOnlyList<int> families)
    {
        for (int i = 0; i < count; i++)
        {
            TypedSpec spec = TypedDocumentSpecs.All[i % TypedDocumentSpecs.All.Length];
            yield return Compose(spec, families[_rng.Next(families.Count)]);
        }
    }

    public TypedDocument Compose(TypedSpec spec, int family)
    {
        TypedFamily f = spec.Families[family];
        var page = new PageBuilder(left: 50f + _rng.Next(20), right: 520f + _rng.Next(20));
        var doc = new Composition(this, spec, f);
        doc.Header(page);
        if (f.PatientBlockFirst)
        {
            doc.PatientBlock(page);
        }

        page.Line(Pick(f.Titles), 13f + _rng.Next(5), FontKind.SansBold);
        page.Rule(0.8f + (float)_rng.NextDouble());
        doc.Fields(page);
        if (!f.PatientBlockFirst)
        {
            doc.PatientBlock(page);
        }

        var pages = new List<List<PageElement>>();
        doc.Body(page, pages);
        pages.Add(page.Elements);
        return new TypedDocument(spec.Code, family, pages);
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    private string Num(int min, int max) => _rng.Next(min, max + 1).ToString(CultureInfo.InvariantCulture);

    private string Date()
    {
        var d = new DateOnly(2015, 1, 1).AddDays(_rng.Next(3650));
        return _rng.Next(3) switch
        {
            0 => d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture),
            1 => d.ToString("d MMMM yyyy", CultureInfo.InvariantCulture),
            _ => d.ToString("dd.MM.yy", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>One document being laid out.</summary>
    private sealed class Composition(TypedDocumentGenerator g, TypedSpec spec, TypedFamily family)
    {
        private readonly string _patient = $"{g.Pick(Names.Female.Concat(Names.Male).ToArray())} {g.Pick(Names.Family)}";
        private readonly string _specialty = g.Pick(Names.Specialties);

        public void Header(PageBuilder p)
        {
            bool practice = spec.Code == "referral_letter" || g._rng.Next(6) == 0;
            p.Line(practice ? g.Pick(Practices) : g.Pick(Names.Hospitals), 12f + g._rng.Next(5), FontKind.SansBold);
            if (g._rng.Next(2) == 0)
            {
                p.Line($"{g.Pick(Names.Streets)}, {g.Pick(Names.Localities)}   Tel 0113 {g.Num(200, 399)} {g.Num(1000, 9999)}", 9f);
            }
        }

        public void PatientBlock(PageBuilder p)
        {
            string nhs = $"{g.Num(400, 999)} {g.Num(100, 999)} {g.Num(1000, 9999)}";
            string dob = g.Date();
            switch (g._rng.Next(3))
            {
                case 0:
                    p.Line($"Patient: {_patient}   DOB: {dob}", 10.5f);
                    p.Line($"NHS No: {nhs}   Hosp No: {(char)('A' + g._rng.Next(26))}{g.Num(100000, 999999)}", 10.5f);
                    break;
                case 1:
                    p.Line($"{_patient.ToUpperInvariant()}  {dob}  NHS {nhs}", 10.5f, FontKind.SansBold);
                    break;
                default:
                    p.Line($"Name {_patient}", 10f);
                    p.Line($"Date of birth {dob}", 10f);
                    p.Line($"NHS number {nhs}", 10f);
                    break;
            }

            p.Gap(6f);
        }

        public void Fields(PageBuilder p)
        {
            var fields = family.Fields.ToList();
            if (g._rng.Next(3) == 0 && fields.Count > 1)
            {
                (fields[0], fields[^1]) = (fields[^1], fields[0]);
            }

            bool twoColumns = fields.Count > 2 && g._rng.Next(2) == 0;
            for (int i = 0; i < fields.Count; i++)
            {
                string text = $"{fields[i]}: {Value(fields[i])}";
                if (twoColumns && i + 1 < fields.Count)
                {
                    p.Line(text, 10f);
                    p.At(p.Left + ((p.Right - p.Left) / 2f), p.Y, $"{fields[i + 1]}: {Value(fields[i + 1])}", 10f);
                    i++;
                }
                else
                {
                    p.Line(text, 10f);
                }
            }

            p.Gap(8f);
        }

        private string Value(string field)
        {
            string lower = field.ToLowerInvariant();
            if (lower.Contains("date", StringComparison.Ordinal) || lower is "admitted" or "discharged" or "collected" or "received" or "reported" or "left hospital on" or "sample taken")
            {
                return g.Date();
            }

            return lower switch
            {
                "consultant" or "seen by" or "clinician" or "responsible clinician" or "discharging consultant" or "responsible consultant"
                    or "requesting clinician" or "referrer" or "requested by" or "operating clinician" or "responsible health professional" => g.Pick(Names.Consultants),
                "ward" or "ward / unit" or "discharged from" => g.Pick(Names.Wards),
                "referring gp" or "from" or "taken by" or "booked by" or "items listed by" => g.Pick(Names.Gps),
                "clinic" or "specialty" or "speciality" or "referred to" or "to" or "service requested" or "treating team" => _specialty,
                "urgency" or "priority" or "referral type" => g.Pick(new[] { "Routine", "Urgent", "Two week wait", "Soon" }),
                "examination" or "modality" or "procedure" or "study" => g.Pick(new[] { "CT chest", "MRI brain", "XR chest", "US abdomen", "Colonoscopy", "Knee arthroscopy" }),
                "time" => $"{g.Num(8, 17)}:{g.Num(10, 59)}",
                _ => g.Pick(new[] { g.Num(10000, 99999), g.Pick(Names.Localities), $"{g.Num(1, 14)} days", "See below", "Home", "Blood" }),
            };
        }

        /// <summary>Mostly the type's own sentences; one in five from another type's pool, as real letters quote results and notes.</summary>
        private string Sentence() => g.Pick(g._rng.Next(5) == 0 ? g.Pick(TypedDocumentSpecs.All).Sentences : spec.Sentences)
            .Replace("{p}", g._rng.Next(2) == 0 ? "the patient" : _patient.Split(' ')[^1], StringComparison.Ordinal)
            .Replace("{spec}", _specialty.ToLowerInvariant(), StringComparison.Ordinal)
            .Replace("{c1}", g.Pick(Names.Conditions), StringComparison.Ordinal)
            .Replace("{d1}", g.Pick(Names.Drugs), StringComparison.Ordinal)
            .Replace("{ward}", g.Pick(Names.Wards), StringComparison.Ordinal)
            .Replace("{bp}", g.Num(110, 170) + "/" + g.Num(60, 95), StringComparison.Ordinal)
            .Replace("{hr}", g.Num(55, 100), StringComparison.Ordinal)
            .Replace("{n}", g.Num(2, 12), StringComparison.Ordinal);

        private string Prose(int sentences)
        {
            var text = new StringBuilder();
            for (int i = 0; i < sentences; i++)
            {
                text.Append(Sentence()).Append(' ');
            }

            return text.ToString().TrimEnd();
        }

        public void Body(PageBuilder p, List<List<PageElement>> done)
        {
            if (family.Letter)
            {
                p.Line($"Dear {g.Pick(Names.Gps)},", 11f);
                p.Gap(4f);
            }

            switch (spec.Extra)
            {
                case TypedExtra.NoteEntries:
                    for (int i = 0, n = g._rng.Next(4, 9); i < n && p.HasRoom(10f, 4); i++)
                    {
                        p.Line($"{g.Date()} {g.Num(0, 23)}:{g.Num(10, 59)}", 10f, FontKind.SansBold);
                        p.Paragraph(Prose(g._rng.Next(1, 4)), 10.5f, FontKind.Sans, 20f, g._rng);
                        p.Line($"Signed {g.Pick(Names.Consultants)}", 9f, FontKind.Sans, 240f);
                    }

                    return;
                case TypedExtra.LabTable:
                    LabTable(p);
                    break;
            }

            foreach (string section in family.Sections)
            {
                if (!p.HasRoom(11f, 4))
                {
                    done.Add(p.Elements.ToList());
                    p.Elements.Clear();
                    p.Y = 40f;
                }

                p.Line(section + (g._rng.Next(2) == 0 ? ":" : string.Empty), 11f, FontKind.SansBold);
                if (spec.Extra == TypedExtra.MedicationList && section.Contains("edic", StringComparison.OrdinalIgnoreCase))
                {
                    for (int i = 0, n = g._rng.Next(2, 6); i < n; i++)
                    {
                        p.Line("- " + g.Pick(Names.Drugs), 10.5f, FontKind.Sans, 12f);
                    }
                }
                else if (spec.Extra == TypedExtra.ConsentTicks && g._rng.Next(2) == 0)
                {
                    p.Line("[X] " + Sentence(), 10f, FontKind.Sans, 8f);
                    p.Line("[ ] " + Sentence(), 10f, FontKind.Sans, 8f);
                }
                else
                {
                    p.Paragraph(Prose(g._rng.Next(1, 4)), 10.5f, FontKind.Sans, 0f, g._rng);
                }

                p.Gap(6f);
            }

            foreach (string closing in family.Closings)
            {
                if (p.HasRoom(11f, 3))
                {
                    p.Gap(8f);
                    p.Line(closing + (family.Letter ? "," : ": ____________"), 11f);
                    p.Line(g.Pick(Names.Consultants), 10.5f, FontKind.SansBold);
                }
            }
        }

        private void LabTable(PageBuilder p)
        {
            (string Test, string Unit, string Range, int Min, int Max)[] tests =
            [
                ("Sodium", "mmol/L", "133-146", 128, 150), ("Potassium", "mmol/L", "3.5-5.3", 3, 6), ("Urea", "mmol/L", "2.5-7.8", 2, 15),
                ("Creatinine", "umol/L", "59-104", 50, 250), ("eGFR", "mL/min", ">90", 20, 95), ("Haemoglobin", "g/L", "130-180", 80, 170),
                ("White cell count", "x10^9/L", "4.0-11.0", 3, 18), ("Platelets", "x10^9/L", "150-400", 90, 500), ("CRP", "mg/L", "<5", 1, 200),
                ("ALT", "U/L", "<41", 10, 120), ("TSH", "mU/L", "0.27-4.2", 0, 9), ("HbA1c", "mmol/mol", "20-41", 30, 90),
            ];
            float[] columns = [p.Left, p.Left + 170f, p.Left + 250f, p.Left + 330f];
            bool header = g._rng.Next(3) != 0;
            if (header)
            {
                p.Line("Test", 10f, FontKind.SansBold);
                p.At(columns[1], p.Y, "Result", 10f, FontKind.SansBold);
                p.At(columns[2], p.Y, "Units", 10f, FontKind.SansBold);
                p.At(columns[3], p.Y, "Reference range", 10f, FontKind.SansBold);
            }

            foreach (var t in tests.OrderBy(_ => g._rng.Next()).Take(g._rng.Next(4, 10)))
            {
                p.Line(t.Test, 10f);
                p.At(columns[1], p.Y, g.Num(t.Min, t.Max) + (g._rng.Next(5) == 0 ? " H" : string.Empty), 10f);
                p.At(columns[2], p.Y, t.Unit, 10f);
                p.At(columns[3], p.Y, t.Range, 10f);
            }

            p.Gap(8f);
        }
    }
}
