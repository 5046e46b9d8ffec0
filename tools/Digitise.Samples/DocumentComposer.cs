using System.Globalization;

namespace Digitise.Samples;

/// <summary>Lays out the pages of one document (letter, discharge summary, lab report, continuation sheet).</summary>
internal sealed class DocumentComposer
{
    private static readonly string[] Templates =
    [
        "I reviewed {t} {f} in the {spec} clinic today.",
        "{t} {f} is a {age} year old with a background of {c1} and {c2}.",
        "Since we last met the symptoms have been broadly stable, although there has been some increase in breathlessness on exertion.",
        "On examination the chest was clear and heart sounds were normal. Blood pressure was {bp} mmHg and the pulse was {hr} and regular.",
        "There was mild pitting oedema to both ankles but no other abnormality.",
        "Recent blood tests show a haemoglobin of {hb} g/L and an eGFR of {egfr}.",
        "I have suggested that the dose of {d1} is continued unchanged for the present.",
        "I would be grateful if you could arrange a repeat renal profile in four weeks.",
        "We discussed the results of the recent echocardiogram, which showed preserved left ventricular function.",
        "{t} {f} reports good adherence to {d2} and has had no side effects.",
        "Weight today was {wt} kg, which is a little lower than at the previous visit.",
        "I have explained the diagnosis and the treatment options and a written leaflet was provided.",
        "There have been no further falls and mobility has improved with physiotherapy input.",
        "The HbA1c has improved to {a1c} mmol/mol and I have not made any changes to the diabetic medication.",
        "I will see {t} {f} again in the clinic in {months} months, sooner if there is any deterioration.",
        "A chest X-ray was arranged today and I will write again with the result.",
        "The patient lives with family and remains independent with activities of daily living.",
        "We agreed to start {d1} and I would be grateful if this could be added to the repeat prescription.",
        "No changes were made to the current medication, which includes {d2}.",
        "Please do not hesitate to contact the department if there are any concerns in the meantime.",
    ];

    private static readonly string[] NoteTemplates =
    [
        "Ward round. Patient comfortable overnight, eating and drinking.",
        "Seen by physio, mobilising with frame, needs supervision on stairs.",
        "Obs stable. BP {bp}, HR {hr}, sats 96% on air. Apyrexial.",
        "Bloods reviewed: Hb {hb}, eGFR {egfr}. Plan to repeat tomorrow.",
        "Complains of some chest discomfort overnight, ECG unchanged, troponin awaited.",
        "Discussed with family, happy with plan for discharge when medically fit.",
        "Continue {d1}. Review drug chart with pharmacist.",
        "Wound clean and dry, dressing changed. Pain controlled with regular paracetamol.",
        "Reviewed by the registrar. Chest clear, mild ankle oedema, continue diuretic.",
        "Catheter removed this morning, passing urine. Bowels open.",
        "OT assessment completed, home visit planned for next week.",
        "Feeling much better today. Plan: medically fit for discharge, TTOs to pharmacy.",
    ];

    private readonly DocumentPlan _plan;
    private readonly Random _rng;
    private readonly int _nameStyle;
    private readonly int _dobStyle;
    private readonly int _nhsStyle;
    private readonly string _hospital;
    private readonly string _specialty;
    private readonly string _consultant;
    private readonly string _title;

    public DocumentComposer(DocumentPlan plan, Random rng)
    {
        _plan = plan;
        _rng = rng;
        _nameStyle = rng.Next(4);
        _dobStyle = rng.Next(4);
        _nhsStyle = rng.Next(3);
        _hospital = Pick(Names.Hospitals);
        _specialty = Pick(Names.Specialties);
        _consultant = Pick(Names.Consultants);
        int age = Age;
        _title = plan.Patient.Sex == 'M' ? "Mr" : age < 25 ? "Miss" : rng.Next(3) == 0 ? "Ms" : "Mrs";
    }

    private SamplePatient Patient => _plan.Patient;

    private int Age
    {
        get
        {
            DateOnly d = _plan.DocumentDate;
            DateOnly b = Patient.Dob;
            return d.Year - b.Year - ((d.Month, d.Day).CompareTo((b.Month, b.Day)) < 0 ? 1 : 0);
        }
    }

    public List<List<PageElement>> Compose() => _plan.DocumentType switch
    {
        DocumentTypes.ClinicLetter => Letter(),
        DocumentTypes.DischargeSummary => Discharge(),
        DocumentTypes.LabReport => Lab(),
        _ => Continuation(),
    };

    private string FamilyUpper => _plan.ShownFamily.ToUpperInvariant();

    private string FamilyTitle => _plan.ShownFamily;

    private string NameText(int style) => style switch
    {
        0 => $"{FamilyUpper}, {_plan.ShownGiven}",
        1 => $"{_title} {_plan.ShownGiven} {FamilyUpper}",
        2 => $"{_title} {_plan.ShownGiven} {FamilyTitle}",
        _ => $"{_plan.ShownGiven} {FamilyTitle}",
    };

    private string DobText => _dobStyle switch
    {
        0 => Patient.Dob.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture),
        1 => Patient.Dob.ToString("dd.MM.yy", CultureInfo.InvariantCulture),
        2 => Patient.Dob.ToString("d-MMM-yyyy", CultureInfo.InvariantCulture),
        _ => Patient.Dob.ToString("d MMMM yyyy", CultureInfo.InvariantCulture),
    };

    private string NhsText => NhsNumbers.Format(Patient.Nhs, _nhsStyle);

    private string DateText(DateOnly d, int style) => style switch
    {
        0 => d.ToString("d MMMM yyyy", CultureInfo.InvariantCulture),
        1 => d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture),
        _ => d.ToString("dd.MM.yy", CultureInfo.InvariantCulture),
    };

    private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    private string Sentence(string template) => template
        .Replace("{t}", _title, StringComparison.Ordinal)
        .Replace("{f}", FamilyTitle, StringComparison.Ordinal)
        .Replace("{spec}", _specialty.ToLowerInvariant(), StringComparison.Ordinal)
        .Replace("{age}", Age.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{c1}", Pick(Names.Conditions), StringComparison.Ordinal)
        .Replace("{c2}", Pick(Names.Conditions), StringComparison.Ordinal)
        .Replace("{d1}", Pick(Names.Drugs), StringComparison.Ordinal)
        .Replace("{d2}", Pick(Names.Drugs), StringComparison.Ordinal)
        .Replace("{bp}", Num(110, 170) + "/" + Num(60, 95), StringComparison.Ordinal)
        .Replace("{hr}", Num(55, 100), StringComparison.Ordinal)
        .Replace("{hb}", Num(95, 160), StringComparison.Ordinal)
        .Replace("{egfr}", Num(28, 90), StringComparison.Ordinal)
        .Replace("{wt}", Num(48, 110), StringComparison.Ordinal)
        .Replace("{a1c}", Num(44, 80), StringComparison.Ordinal)
        .Replace("{months}", Num(3, 12), StringComparison.Ordinal);

    private string Num(int min, int max) => _rng.Next(min, max + 1).ToString(CultureInfo.InvariantCulture);

    private string ProseParagraph(int sentences) =>
        string.Join(' ', Enumerable.Range(0, sentences).Select(_ => Sentence(Pick(Templates))));

    private void Letterhead(PageBuilder p)
    {
        p.Line(_hospital, 17f, FontKind.SansBold);
        p.Line($"Department of {_specialty}", 11f);
        p.Line($"{Pick(Names.Streets)}, {Pick(Names.Areas).Town}   Tel: 0113 {Num(200, 399)} {Num(1000, 9999)}", 9.5f);
        p.Rule(1.2f);
    }

    private void FillProse(PageBuilder p, float fill, float size = 11f)
    {
        float limit = p.Y + ((p.Bottom - p.Y) * fill);
        while (p.Y < limit && p.HasRoom(size, 2))
        {
            p.Paragraph(ProseParagraph(_rng.Next(2, 5)), size);
            p.Gap(size * 0.6f);
        }
    }

    private void LaterPageHeader(PageBuilder p, int page)
    {
        if (_rng.Next(2) == 0)
        {
            string nhs = _plan.ShowNhs ? $"   NHS No: {NhsText}" : string.Empty;
            p.Line($"{NameText(0)}   DOB: {DobText}{nhs}", 10f);
            p.Rule(0.6f);
        }

        p.At(p.Right - 60f, 815f, $"Page {page} of {_plan.Pages}", 9f);
    }

    private List<List<PageElement>> Letter()
    {
        var pages = new List<List<PageElement>>();
        var p = new PageBuilder();
        Letterhead(p);
        p.Line($"Consultant: {_consultant}", 10f);
        p.Line($"Our ref: {Patient.HospitalNumber}/{_consultant[^2..].Trim()}", 10f);
        p.Line($"Date: {DateText(_plan.DocumentDate, _rng.Next(3))}", 10.5f);
        p.Gap(8f);
        string gp = Pick(Names.Gps);
        p.Line(gp, 11f);
        p.Line($"{Pick(Names.Localities)} Medical Practice", 11f);
        p.Line(Pick(Names.Localities), 11f);
        p.Gap(10f);
        p.Line($"Dear {gp[..2]} {gp.Split(' ')[^1]},", 11f);
        p.Gap(4f);

        // The Re: block: name and DOB, then the numbers, then the address.
        string re = $"Re: {NameText(_nameStyle == 3 ? 1 : _nameStyle)}   DOB: {DobText}";
        p.Line(re, 11.5f, FontKind.SansBold);
        string numbers = _plan.ShowNhs ? $"NHS No: {NhsText}   Hosp No: {Patient.HospitalNumber}" : $"Hosp No: {Patient.HospitalNumber}";
        p.Line(numbers, 11.5f, FontKind.SansBold, 24f);
        p.Line($"{Patient.Address}, {Patient.Postcode}", 11f, FontKind.Sans, 24f);
        p.Gap(8f);
        p.Line($"Diagnosis: {Pick(Names.Conditions)}", 11f);
        p.Line($"Medication: {Pick(Names.Drugs)}", 11f);
        p.Gap(8f);
        FillProse(p, _plan.Pages == 1 ? 0.55f : 1f);
        if (_plan.Pages == 1)
        {
            SignOff(p);
        }
        else
        {
            p.At(p.Right - 60f, 815f, $"Page 1 of {_plan.Pages}", 9f);
        }

        pages.Add(p.Elements);
        for (int page = 2; page <= _plan.Pages; page++)
        {
            var q = new PageBuilder();
            LaterPageHeader(q, page);
            FillProse(q, page == _plan.Pages ? 0.5f : 1f);
            if (page == _plan.Pages)
            {
                SignOff(q);
            }

            pages.Add(q.Elements);
        }

        return pages;
    }

    private void SignOff(PageBuilder p)
    {
        if (!p.HasRoom(11f, 6))
        {
            return;
        }

        p.Gap(10f);
        p.Line("Yours sincerely,", 11f);
        p.Gap(26f);
        p.Line(_consultant, 11f, FontKind.SansBold);
        p.Line($"Consultant, {_specialty}", 10f);
        p.Line("cc: Patient", 10f);
    }

    private List<List<PageElement>> Discharge()
    {
        var pages = new List<List<PageElement>>();
        var p = new PageBuilder();
        p.Line(_hospital, 15f, FontKind.SansBold);
        p.Line("DISCHARGE SUMMARY", 16f, FontKind.SansBold);
        p.Rule(1.2f);
        DateOnly discharged = _plan.DocumentDate;
        DateOnly admitted = discharged.AddDays(-_rng.Next(1, 15));
        (string Label, string Value)[] fields =
        [
            ("Name:", NameText(_rng.Next(2) == 0 ? 0 : 3)),
            ("Date of Birth:", DobText),
            ("NHS Number:", _plan.ShowNhs ? NhsText : "Not recorded"),
            ("Hospital Number:", Patient.HospitalNumber),
            ("Address:", Patient.Address),
            ("Postcode:", Patient.Postcode),
            ("Admitted:", DateText(admitted, 1)),
            ("Discharged:", DateText(discharged, 1)),
            ("Consultant:", $"{_consultant} ({_specialty})"),
            ("Ward:", Pick(Names.Wards)),
        ];
        foreach ((string label, string value) in fields)
        {
            if (label == "NHS Number:" && !_plan.ShowNhs && _rng.Next(2) == 0)
            {
                continue;
            }

            p.Line(label, 11f, FontKind.SansBold);
            p.At(p.Left + 130f, p.Y, value, 11f);
        }

        p.Rule(0.8f);
        string[] sections = ["Diagnosis", "Presenting complaint", "Investigations", "Treatment and progress", "Medication on discharge", "Follow-up"];
        int s = 0;
        int page = 1;
        while (s < sections.Length)
        {
            if (!p.HasRoom(11f, 4))
            {
                if (page == _plan.Pages)
                {
                    break;
                }

                p.At(p.Right - 60f, 815f, $"Page {page} of {_plan.Pages}", 9f);
                pages.Add(p.Elements);
                p = new PageBuilder();
                page++;
                LaterPageHeader(p, page);
            }

            p.Line(sections[s], 12f, FontKind.SansBold);
            if (sections[s] == "Medication on discharge")
            {
                for (int i = _rng.Next(2, 6); i > 0 && p.HasRoom(11f); i--)
                {
                    p.Line("- " + Pick(Names.Drugs), 11f, FontKind.Sans, 12f);
                }
            }
            else if (sections[s] == "Diagnosis")
            {
                p.Line("1. " + Pick(Names.Conditions), 11f, FontKind.Sans, 12f);
                p.Line("2. " + Pick(Names.Conditions), 11f, FontKind.Sans, 12f);
            }
            else
            {
                int sentences = _plan.Pages > 1 ? _rng.Next(4, 8) : _rng.Next(1, 3);
                p.Paragraph(ProseParagraph(sentences), 11f);
            }

            p.Gap(6f);
            s++;
        }

        // Fill any pages the plan asked for that the sections did not reach.
        while (page < _plan.Pages)
        {
            p.At(p.Right - 60f, 815f, $"Page {page} of {_plan.Pages}", 9f);
            pages.Add(p.Elements);
            p = new PageBuilder();
            page++;
            LaterPageHeader(p, page);
            p.Line("Additional notes", 12f, FontKind.SansBold);
            FillProse(p, 0.6f);
        }

        pages.Add(p.Elements);
        return pages;
    }

    private List<List<PageElement>> Lab()
    {
        var pages = new List<List<PageElement>>();
        (string Title, (string Test, double Low, double High, string Units, int Decimals)[] Rows)[] panels =
        [
            ("Clinical Biochemistry",
            [
                ("Sodium", 133, 146, "mmol/L", 0), ("Potassium", 3.5, 5.3, "mmol/L", 1), ("Urea", 2.5, 7.8, "mmol/L", 1),
                ("Creatinine", 59, 104, "umol/L", 0), ("eGFR", 60, 90, "mL/min", 0), ("ALT", 0, 40, "U/L", 0),
                ("Alkaline phosphatase", 30, 130, "U/L", 0), ("Bilirubin", 0, 21, "umol/L", 0), ("Albumin", 35, 50, "g/L", 0),
                ("CRP", 0, 5, "mg/L", 0), ("HbA1c", 20, 42, "mmol/mol", 0), ("TSH", 0.27, 4.2, "mU/L", 2),
            ]),
            ("Haematology",
            [
                ("Haemoglobin", 130, 180, "g/L", 0), ("White cell count", 4.0, 11.0, "10^9/L", 1), ("Platelets", 150, 400, "10^9/L", 0),
                ("MCV", 80, 100, "fL", 0), ("Neutrophils", 2.0, 7.5, "10^9/L", 1), ("Lymphocytes", 1.5, 4.0, "10^9/L", 1),
                ("INR", 0.8, 1.2, "", 1), ("Ferritin", 30, 400, "ug/L", 0), ("Folate", 3.0, 20.0, "ug/L", 1),
            ]),
        ];
        for (int page = 1; page <= _plan.Pages; page++)
        {
            var p = new PageBuilder();
            p.Line($"{_hospital} - Pathology Laboratory", 13f, FontKind.SansBold);
            var panel = panels[(page - 1) % panels.Length];
            p.Line($"LABORATORY REPORT: {panel.Title}", 12f, FontKind.SansBold);
            p.Rule(1f);
            if (page == 1 || _rng.Next(3) == 0)
            {
                p.Line($"Patient: {NameText(0)}", 11f, FontKind.SansBold);
                p.At(p.Left + 300f, p.Y, $"Sex: {Patient.Sex}", 11f);
                p.Line($"DOB: {DobText}", 11f);
                p.At(p.Left + 300f, p.Y, $"Hosp No: {Patient.HospitalNumber}", 11f);
                if (_plan.ShowNhs)
                {
                    p.Line($"NHS No: {NhsText}", 11f);
                }
            }

            p.Line($"Requested by: {_consultant} ({_specialty})", 10.5f);
            p.Line($"Collected: {DateText(_plan.DocumentDate, 1)} {Num(8, 16)}:{_rng.Next(60):D2}   Lab No: {Num(10, 99)}L{Num(100000, 999999)}", 10.5f);
            p.Rule(0.8f);
            float[] cols = [p.Left, p.Left + 190f, p.Left + 270f, p.Left + 350f, p.Left + 450f];
            p.Gap(4f);
            p.Line("Test", 11f, FontKind.SansBold);
            p.At(cols[1], p.Y, "Result", 11f, FontKind.SansBold);
            p.At(cols[2], p.Y, "Units", 11f, FontKind.SansBold);
            p.At(cols[3], p.Y, "Range", 11f, FontKind.SansBold);
            p.At(cols[4], p.Y, "Flag", 11f, FontKind.SansBold);
            foreach (var row in panel.Rows)
            {
                double span = row.High - row.Low;
                double value = row.Low + (span * ((_rng.NextDouble() * 1.5) - 0.2));
                if (value < 0)
                {
                    value = row.Low;
                }

                string fmt = "F" + row.Decimals.ToString(CultureInfo.InvariantCulture);
                string flag = value < row.Low ? "L" : value > row.High ? "H" : string.Empty;
                p.Line(row.Test, 11f, FontKind.Mono);
                p.At(cols[1], p.Y, value.ToString(fmt, CultureInfo.InvariantCulture), 11f, FontKind.Mono);
                p.At(cols[2], p.Y, row.Units, 11f, FontKind.Mono);
                p.At(cols[3], p.Y, $"{row.Low.ToString(fmt, CultureInfo.InvariantCulture)}-{row.High.ToString(fmt, CultureInfo.InvariantCulture)}", 11f, FontKind.Mono);
                p.At(cols[4], p.Y, flag, 11f, FontKind.Mono);
            }

            p.Rule(0.6f);
            p.Paragraph("Comment: " + Sentence(Pick(NoteTemplates)), 10.5f);
            p.Line($"Authorised by: {Pick(Names.Consultants)}, Consultant Chemical Pathologist", 10f);
            p.At(p.Right - 60f, 815f, $"Page {page} of {_plan.Pages}", 9f);
            pages.Add(p.Elements);
        }

        return pages;
    }

    private void Addressograph(PageBuilder p, float x, float y)
    {
        // A printed label stuck on the sheet: name, DOB, NHS and hospital number.
        p.Elements.Add(new RectElement(x, y, 236f, _plan.ShowNhs ? 84f : 68f, 1f, 0));
        float line = y + 18f;
        p.At(x + 8f, line, NameText(0), 12f, FontKind.SansBold);
        line += 16f;
        p.At(x + 8f, line, $"DOB: {DobText}   Sex: {Patient.Sex}", 11f);
        if (_plan.ShowNhs)
        {
            line += 16f;
            p.At(x + 8f, line, $"NHS: {NhsText}", 11f);
        }

        line += 16f;
        p.At(x + 8f, line, $"Hosp No: {Patient.HospitalNumber}", 11f);
    }

    private List<List<PageElement>> Continuation()
    {
        var pages = new List<List<PageElement>>();
        DateOnly date = _plan.DocumentDate;
        for (int page = 1; page <= _plan.Pages; page++)
        {
            var p = new PageBuilder();
            p.Line(_hospital, 12f, FontKind.SansBold);
            p.Line("CONTINUATION SHEET", 14f, FontKind.SansBold);
            p.Line("Sign and date every entry", 9f);
            if (page == 1 || _rng.Next(4) == 0)
            {
                Addressograph(p, p.Right - 240f, 30f);
            }

            p.Y = Math.Max(p.Y, 125f);
            p.Rule(1f);

            // Faint ruled lines, as on real continuation paper.
            for (float y = p.Y + 22f; y < p.Bottom; y += 22f)
            {
                p.Elements.Add(new LineElement(p.Left, y + 4f, p.Right, y + 4f, 0.5f, 205));
            }

            while (p.HasRoom(13f, 3))
            {
                p.Gap(6f);
                p.Line($"{DateText(date, 2)} {Num(7, 22)}:{_rng.Next(60):D2}", 12.5f, FontKind.Serif);
                string entry = string.Join(' ', Enumerable.Range(0, _rng.Next(2, 5)).Select(_ => Sentence(Pick(NoteTemplates))));
                p.Paragraph(entry, 13f, FontKind.Serif, 0f, _rng);
                p.Line($"Dr {(char)('A' + _rng.Next(26))} {Pick(Names.Family)} (FY{_rng.Next(1, 3)})", 11f, FontKind.Serif, 200f);
                date = date.AddDays(_rng.Next(0, 2));
            }

            pages.Add(p.Elements);
        }

        return pages;
    }
}
