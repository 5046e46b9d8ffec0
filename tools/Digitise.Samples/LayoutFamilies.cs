using System.Globalization;

namespace Digitise.Samples;

/// <summary>
/// Twelve layout families that differ in everything an extractor might lean on (issue 11): labels or none, name order
/// and case, date formats, where the identifiers sit (banner, header or footer on every page, an angled addressograph
/// sticker in another font, table cells with labels on a line of their own, a letter's "Re:" line, page 1 only), and
/// hospital-number formats of trusts that are not in the default configuration; other people's names, practices and
/// postcodes sit beside the patient's. Six are for development, six are held out and only reported (<see cref="HeldOut"/>).
/// </summary>
public static class LayoutFamilies
{
    /// <summary>The classic generator's layouts (letter, discharge summary, lab report, continuation sheet).</summary>
    public const string Classic = "classic";

    public static IReadOnlyList<string> Development { get; } = ["gp_banner", "typed_notes", "gp_referral", "lab_table", "angled_sticker", "footer_every_page"];

    public static IReadOnlyList<string> HeldOut { get; } = ["fhir_discharge", "ers_summary", "clinic_list", "caps_re_letter", "screening_letter", "radiology_report"];

    public static IEnumerable<string> All => Development.Concat(HeldOut);

    /// <summary>The family's trust hospital-number format, applied to the patient's own digits (none match the default pattern).</summary>
    internal static string HospitalNumber(string family, string classic)
    {
        string d = new([.. classic.Where(char.IsAsciiDigit)]); // seven unique digits
        return family switch
        {
            "typed_notes" => $"H/{d[..6]}/{d[6]}",
            "lab_table" => $"{d[..2]}-{d[2..5]}-{d[5..]}",
            "angled_sticker" => $"RX1 {d[..3]} {d[3..]}",
            "footer_every_page" => $"A{d[..6]}B",
            "clinic_list" => $"00{d}",
            "caps_re_letter" => $"M-{d}",
            "radiology_report" => $"{d[1..]}X",
            "fhir_discharge" => $"TRU{d}Z",
            _ => classic,
        };
    }

    internal static List<List<PageElement>> Compose(string family, DocumentPlan plan, Random rng) => new Composer(plan, rng).Compose(family);

    private sealed class Composer(DocumentPlan plan, Random rng)
    {
        private readonly string _gp = Names.Gps[rng.Next(Names.Gps.Length)];
        private readonly string _consultant = Names.Consultants[rng.Next(Names.Consultants.Length)];
        private readonly string _hospital = Names.Hospitals[rng.Next(Names.Hospitals.Length)];
        private readonly string _practice = Names.Localities[rng.Next(Names.Localities.Length)] + " Medical Practice";
        private readonly string _practicePostcode = OtherPostcode(rng);

        private SamplePatient P => plan.Patient;

        private string Given => plan.ShownGiven;

        private string Family => plan.ShownFamily;

        private string Upper => plan.ShownFamily.ToUpperInvariant();

        private string Title => P.Sex == 'M' ? "Mr" : "Mrs";

        private string Nhs(int style) => NhsNumbers.Format(P.Nhs, style);

        private string Dob(string format) => P.Dob.ToString(format, CultureInfo.InvariantCulture);

        private string Ordinal => P.Dob.Day + (P.Dob.Day is 1 or 21 or 31 ? "st" : P.Dob.Day is 2 or 22 ? "nd" : P.Dob.Day is 3 or 23 ? "rd" : "th") + Dob(" MMMM yyyy");

        private string Date(string format) => plan.DocumentDate.ToString(format, CultureInfo.InvariantCulture);

        private string Other() => $"{Names.Male[rng.Next(Names.Male.Length)]} {Names.Family[rng.Next(Names.Family.Length)]}";

        private string Street => P.Address.Split(", ")[0];

        public List<List<PageElement>> Compose(string family)
        {
            var pages = new List<List<PageElement>>();
            for (int page = 1; page <= plan.Pages; page++)
            {
                var p = new PageBuilder();
                switch (family)
                {
                    case "gp_banner": GpBanner(p, page); break;
                    case "typed_notes": TypedNotes(p, page); break;
                    case "gp_referral": GpReferral(p, page); break;
                    case "lab_table": LabTable(p, page); break;
                    case "angled_sticker": AngledSticker(p, page); break;
                    case "footer_every_page": FooterEveryPage(p, page); break;
                    case "fhir_discharge": FhirDischarge(p, page); break;
                    case "ers_summary": ErsSummary(p, page); break;
                    case "clinic_list": ClinicList(p, page); break;
                    case "caps_re_letter": CapsReLetter(p, page); break;
                    case "screening_letter": ScreeningLetter(p, page); break;
                    default: RadiologyReport(p, page); break;
                }

                Prose(p, page == plan.Pages ? 0.5f : 1f);
                pages.Add(p.Elements);
            }

            return pages;
        }

        // ---- development families -----------------------------------------------------------------------------------

        /// <summary>A GP system printout: "SURNAME, Given (Title)" banner with NHS number and DoB on every page; practice postcode.</summary>
        private void GpBanner(PageBuilder p, int page)
        {
            string nhs = plan.ShowNhs ? $"   NHS Number [{Nhs(0)}]" : string.Empty;
            p.Line($"{Upper}, {Given} ({Title}){nhs}", 10f, FontKind.SansBold);
            p.Line($"DoB {Dob("dd-MMM-yyyy")}   {P.Address}, {P.Postcode}", 9.5f);
            p.Rule(0.8f);
            if (page == 1)
            {
                p.Line($"{_practice}, {Names.Streets[rng.Next(Names.Streets.Length)]}, {_practicePostcode}", 10f);
                p.Line($"Usual GP: {_gp}   Printed {Date("dd-MMM-yyyy")}", 10f);
                p.Line("Summary - Problems, Medication, Allergies", 12f, FontKind.SansBold);
            }
        }

        /// <summary>Old typed notes: surname first in capitals, no labels, a two-digit-year date, the trust number alone at the top right.</summary>
        private void TypedNotes(PageBuilder p, int page)
        {
            if (page == 1)
            {
                p.At(p.Right - 110f, 40f, P.HospitalNumber, 11f, FontKind.Mono);
                p.Line($"{Upper} {Given.ToUpperInvariant()}", 12f, FontKind.Mono);
                p.Line($"b. {Dob("d.M.yy")}", 11f, FontKind.Mono);
                p.Line($"{Street}", 11f, FontKind.Mono);
                p.Gap(8f);
                p.Line($"Seen {Date("d.M.yy")} - {_consultant}", 11f, FontKind.Mono);
            }
        }

        /// <summary>A GP's referral: practice letterhead and postcode, "Dear Dr", a "Re:" line with an ordinal date, cc list.</summary>
        private void GpReferral(PageBuilder p, int page)
        {
            if (page != 1)
            {
                return;
            }

            p.Line(_practice, 15f, FontKind.SansBold);
            p.Line($"{Names.Streets[rng.Next(Names.Streets.Length)]}, {_practicePostcode}", 10f);
            p.Rule(1f);
            p.Line(Date("d MMMM yyyy"), 11f);
            p.Line($"Dear Dr {Names.Family[rng.Next(Names.Family.Length)]},", 11f);
            string nhs = plan.ShowNhs ? $", NHS {P.Nhs}" : string.Empty;
            p.Line($"Re: {Given} {Family}, born {Ordinal}{nhs}", 11.5f, FontKind.SansBold);
            p.Line($"{P.Address}, {P.Postcode}", 11f);
            p.Line($"cc: {Other()}, {Other()} (district nurse)", 10f);
            p.Line($"Yours sincerely, {_gp}", 10f);
        }

        /// <summary>A lab form whose labels sit on one row and the values on the row beneath (table cells).</summary>
        private void LabTable(PageBuilder p, int page)
        {
            p.Line($"{_hospital} - Blood Sciences", 13f, FontKind.SansBold);
            if (page != 1)
            {
                return;
            }

            float[] x = [p.Left, p.Left + 110f, p.Left + 210f, p.Left + 300f, p.Left + 390f];
            string[] heads = ["Surname", "Forename", "D.O.B.", "MRN", "Sex"];
            string[] values = [Upper, Given, Dob("dd/MM/yyyy"), P.HospitalNumber, P.Sex.ToString()];
            p.Gap(6f);
            p.Line(string.Empty, 10f);
            for (int i = 0; i < x.Length; i++)
            {
                p.At(x[i], p.Y, heads[i], 10f, FontKind.SansBold);
            }

            p.Line(string.Empty, 11f);
            for (int i = 0; i < x.Length; i++)
            {
                p.At(x[i], p.Y, values[i], 11f, FontKind.Mono);
            }

            p.Line($"Requesting clinician: {_gp}, {_practice} {_practicePostcode}", 10f);
        }

        /// <summary>A continuation sheet with an addressograph sticker pasted at an angle, in a monospaced font, on page 1 only.</summary>
        private void AngledSticker(PageBuilder p, int page)
        {
            p.Line(_hospital, 12f, FontKind.SansBold);
            p.Line("CONTINUATION SHEET", 14f, FontKind.SansBold);
            if (page == 1)
            {
                float degrees = (float)((rng.NextDouble() * 6) - 3);
                string nhs = plan.ShowNhs ? Nhs(1) : string.Empty;
                string[] lines = [$"{Upper} {Given}", $"{Dob("dd/MM/yyyy")}  {P.Sex}", P.HospitalNumber, nhs];
                p.Elements.Add(new RotatedText(p.Right - 230f, 40f, degrees, 11f, FontKind.Mono, [.. lines.Where(l => l.Length > 0)]));
            }

            p.Y = Math.Max(p.Y, 130f);
            p.Rule(0.8f);
        }

        /// <summary>A footer with the patient's identifiers on every page, mixed-case name, dashed date.</summary>
        private void FooterEveryPage(PageBuilder p, int page)
        {
            p.Line($"{_hospital} - {Names.Specialties[rng.Next(Names.Specialties.Length)]} clinic note", 13f, FontKind.SansBold);
            p.Line($"Consultant: {_consultant}   GP: {_gp}", 10f);
            p.Rule(0.8f);
            string nhs = plan.ShowNhs ? $" | NHS: {Nhs(2)}" : string.Empty;
            p.At(p.Left, 812f, $"Patient: {Given} {Family} | DOB: {Dob("dd-MM-yyyy")} | Unit No: {P.HospitalNumber}{nhs} | page {page}", 8.5f);
        }

        // ---- held-out families ----------------------------------------------------------------------------------------

        /// <summary>A FHIR-rendered discharge summary: demographics only on the last page under "Given Name:" / "Family Name:".</summary>
        private void FhirDischarge(PageBuilder p, int page)
        {
            p.Line("Emergency Care Discharge Summary", 14f, FontKind.SansBold);
            p.Line($"Author: {_consultant}, {_hospital}", 10f);
            p.Line($"GP Practice: {_practice}, {_practicePostcode}", 10f);
            if (page == plan.Pages)
            {
                p.Line("Patient demographics", 12f, FontKind.SansBold);
                p.Line($"Given Name: {Given}", 10.5f);
                p.Line($"Family Name: {Family}", 10.5f);
                p.Line($"Birth Date: {Dob("d MMMM yyyy")}", 10.5f);
                p.Line($"Local Identifier: {P.HospitalNumber}", 10.5f);
                if (plan.ShowNhs)
                {
                    p.Line($"NHS Number: {P.Nhs}", 10.5f);
                }

                p.Line($"Address: {P.Address} {P.Postcode}", 10.5f);
            }
        }

        /// <summary>An e-RS style summary: "Family, MR Given", a UBRN shaped like an NHS number, three postcodes.</summary>
        private void ErsSummary(PageBuilder p, int page)
        {
            p.Line("Clinical Information Summary", 13f, FontKind.SansBold);
            string nhs = plan.ShowNhs ? $"NHS: {Nhs(0)}   " : string.Empty;
            p.Line($"{Family}, {Title.ToUpperInvariant()} {Given}   {nhs}Born: {Dob("dd-MMM-yyyy")}", 10f);
            p.Line($"UBRN: 0000 {rng.Next(1000, 9999)} {rng.Next(1000, 9999)}   Address: {P.Address}, {P.Postcode}", 9.5f);
            p.Rule(0.6f);
            if (page == 1)
            {
                p.Line($"Referring organisation: {_practice}, {_practicePostcode}", 10f);
                p.Line($"Registered practice: {Names.Localities[rng.Next(Names.Localities.Length)]} Surgery, {OtherPostcode(rng)}", 10f);
                p.Line($"Referrer: {_gp}", 10f);
            }
        }

        /// <summary>An outpatient attendance record: a header row and the patient's row beneath it, the number with leading zeros.</summary>
        private void ClinicList(PageBuilder p, int page)
        {
            p.Line($"{_hospital} Outpatients - attendance record", 13f, FontKind.SansBold);
            if (page != 1)
            {
                return;
            }

            float[] x = [p.Left, p.Left + 120f, p.Left + 290f, p.Left + 390f];
            p.Line(string.Empty, 10f);
            string[] heads = ["Hospital No", "Patient", "Date of birth", "Clinic"];
            for (int i = 0; i < x.Length; i++)
            {
                p.At(x[i], p.Y, heads[i], 10f, FontKind.SansBold);
            }

            p.Line(string.Empty, 10.5f);
            string[] values = [P.HospitalNumber, $"{Upper} {Given}", Dob("d MMM yy"), Date("dd/MM/yy")];
            for (int i = 0; i < x.Length; i++)
            {
                p.At(x[i], p.Y, values[i], 10.5f);
            }

            p.Line($"Clinician: {_consultant}   Referred by {_gp}", 10f);
        }

        /// <summary>A letter whose "RE:" line is all capitals with a two-digit-year date and an "MRN" in the trust's format.</summary>
        private void CapsReLetter(PageBuilder p, int page)
        {
            if (page != 1)
            {
                p.Line($"{Upper} {Given.ToUpperInvariant()} - continued", 10f);
                return;
            }

            p.Line(_hospital, 15f, FontKind.SansBold);
            p.Line($"{_consultant}, Consultant   Secretary: {Other()}", 10f);
            p.Line(Date("dd/MM/yyyy"), 10.5f);
            p.Line(_gp, 11f);
            p.Line($"{_practice}, {_practicePostcode}", 11f);
            p.Line($"Dear {_gp.Split(' ')[0]} {_gp.Split(' ')[^1]},", 11f);
            string nhs = plan.ShowNhs ? $" NHS NO {Nhs(1)}" : string.Empty;
            p.Line($"RE: {Given.ToUpperInvariant()} {Upper} (DOB {Dob("dd/MM/yy")}) MRN: {P.HospitalNumber}{nhs}", 11f, FontKind.SansBold);
            p.Line($"{P.Address.ToUpperInvariant()}, {P.Postcode}", 10.5f);
        }

        /// <summary>A screening-programme letter: window-envelope address, NHS number, no date of birth, "Dear Given Family".</summary>
        private void ScreeningLetter(PageBuilder p, int page)
        {
            if (page != 1)
            {
                return;
            }

            p.Line("NHS Cervical / Bowel Screening Programme", 12f, FontKind.SansBold);
            p.Gap(10f);
            p.Line($"{Title} {Given} {Upper}", 11f);
            foreach (string part in P.Address.Split(", "))
            {
                p.Line(part, 11f);
            }

            p.Line(P.Postcode, 11f);
            p.Gap(8f);
            p.Line(Date("d MMMM yyyy"), 10.5f);
            p.Line($"NHS number: {(plan.ShowNhs ? Nhs(0) : "not known")}   Hospital ref {P.HospitalNumber}", 10.5f);
            p.Line($"Dear {Given} {Family},", 11f);
        }

        /// <summary>A radiology report: "Pt:" with initial, "D.O.B." with dots, the number after "Hosp ID", the referrer on the same line.</summary>
        private void RadiologyReport(PageBuilder p, int page)
        {
            p.Line($"{_hospital} - Department of Radiology", 13f, FontKind.SansBold);
            if (page == 1)
            {
                p.Line($"Pt: {Family} {Given[0]}   D.O.B.: {Dob("d.M.yyyy")}   Hosp ID {P.HospitalNumber}   Ref: {_gp}", 10f);
                p.Line($"Examination: CT chest   Date: {Date("dd/MM/yyyy")}   Reported by {_consultant}", 10f);
            }
        }

        private void Prose(PageBuilder p, float fill)
        {
            string[] sentences =
            [
                "Thank you for seeing this patient, who has had increasing breathlessness over the last three months.",
                "Past history includes hypertension and type 2 diabetes, both well controlled on current treatment.",
                $"I discussed the findings with {Other()} from the respiratory team, who agreed with the plan.",
                "Examination was unremarkable apart from mild bilateral ankle oedema.",
                $"Please copy this letter to {Other()} at the community team.",
                "No change to medication today; review in three months or sooner if symptoms worsen.",
                $"Blood pressure {rng.Next(110, 170)}/{rng.Next(60, 95)}, pulse {rng.Next(55, 100)} and regular.",
            ];
            float limit = p.Y + ((p.Bottom - p.Y) * fill);
            while (p.Y < limit && p.HasRoom(11f, 2))
            {
                p.Paragraph(string.Join(' ', Enumerable.Range(0, rng.Next(2, 4)).Select(_ => sentences[rng.Next(sentences.Length)])), 11f);
                p.Gap(6f);
            }
        }

        private static string OtherPostcode(Random rng)
        {
            (string prefix, _) = Names.Areas[rng.Next(Names.Areas.Length)];
            const string inward = "ABDEFGHJLNPQRSTUWXYZ";
            return $"{prefix}{rng.Next(1, 20)} {rng.Next(1, 10)}{inward[rng.Next(inward.Length)]}{inward[rng.Next(inward.Length)]}";
        }
    }
}

/// <summary>Lines of text drawn rotated about (<paramref name="X"/>, <paramref name="Y"/>) inside a box: a sticker pasted at an angle.</summary>
internal sealed record RotatedText(float X, float Y, float Degrees, float Size, FontKind Font, IReadOnlyList<string> Lines) : PageElement;
