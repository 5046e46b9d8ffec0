using System.Globalization;
using System.Text;

namespace Digitise.Samples;

/// <summary>
/// Generates a deterministic set of synthetic scanned case notes with ground truth: <c>mpi.csv</c> (the index),
/// <c>truth.csv</c> (the true patient of every document) and the documents under <c>batch/</c>.
/// </summary>
public static class SampleGenerator
{
    private const string BatchFolder = "batch";

    public static SampleSet Generate(SampleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.OutputDirectory))
        {
            throw new ArgumentException("SampleOptions.OutputDirectory must be set.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.Documents, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.IndexMultiplier, 1);

        string output = Path.GetFullPath(options.OutputDirectory);
        string batch = Path.Combine(output, BatchFolder);
        if (options.CleanBatchDirectory && Directory.Exists(batch))
        {
            Directory.Delete(batch, recursive: true);
        }

        Directory.CreateDirectory(batch);

        var rng = new Random(options.Seed);
        var factory = new PatientFactory(rng);
        List<DocumentPlan> plans = PlanDocuments(options.Documents, factory, rng);
        if (options.Families)
        {
            AssignFamilies(plans);
        }

        List<SamplePatient> index = PlanIndex(plans, options.IndexMultiplier, options.MinimumIndexRows, factory, rng);

        int workers = options.Workers > 0 ? options.Workers : Environment.ProcessorCount;
        Parallel.ForEach(plans, new ParallelOptions { MaxDegreeOfParallelism = workers }, plan => DocumentWriter.Write(plan, batch));

        string mpiPath = Path.Combine(output, "mpi.csv");
        string truthPath = Path.Combine(output, "truth.csv");
        File.WriteAllText(mpiPath, MpiCsv(index), new UTF8Encoding(false));
        List<SampleDocument> documents = plans.Select(p => new SampleDocument(
            $"{BatchFolder}/{p.FileName}", p.DocumentType, p.Pages, p.Patient.Id, p.Patient.OnIndex, p.HardCase, p.Format, p.Dpi, p.Quality) { Family = p.Family }).ToList();
        File.WriteAllText(truthPath, TruthCsv(documents), new UTF8Encoding(false));
        return new SampleSet(output, mpiPath, truthPath, documents, index.Count(p => p.OnIndex));
    }

    private static List<DocumentPlan> PlanDocuments(int count, PatientFactory factory, Random rng)
    {
        var plans = new List<DocumentPlan>();
        void Add(DocumentPlan plan)
        {
            if (plans.Count < count)
            {
                plans.Add(plan);
            }
        }

        static DocumentPlan Plain(SamplePatient p, string hardCase) => new(p, hardCase, p.Given, p.Family, true);

        // Hard cases first (so a small set still has the important ones), about one of each per 40 documents.
        int rounds = Math.Max(1, (int)Math.Round(count / 40.0));
        for (int round = 0; round < rounds; round++)
        {
            SamplePatient twinA = factory.Create();
            Add(Plain(twinA, "twin"));
            Add(Plain(factory.Twin(twinA), "twin"));

            SamplePatient sameA = factory.Create();
            Add(Plain(sameA, "same_name_dob"));
            Add(Plain(factory.SameNameAndDob(sameA), "same_name_dob"));

            SamplePatient absent = factory.Create();
            absent.OnIndex = false;
            Add(Plain(absent, "not_on_index"));

            SamplePatient mistyped = factory.Create();
            mistyped.IndexNhs = NhsNumbers.Mistype(mistyped.Nhs, rng);
            Add(Plain(mistyped, "mpi_nhs_mistyped"));

            var (formal, nick, sex) = Names.Nicknames[rng.Next(Names.Nicknames.Length)];
            SamplePatient nicknamed = factory.Create(sex, formal);
            Add(new DocumentPlan(nicknamed, "nickname", nick, nicknamed.Family, true));

            string mac = Names.McMac[rng.Next(Names.McMac.Length)];
            SamplePatient macPatient = factory.Create(family: mac);
            string shownMac = mac.StartsWith("Mac", StringComparison.Ordinal) ? "Mc" + mac[3..] : "Mac" + mac[2..];
            Add(new DocumentPlan(macPatient, "mc_mac", macPatient.Given, shownMac, true));

            string hyphen = Names.Hyphenated[rng.Next(Names.Hyphenated.Length)];
            SamplePatient hyphenPatient = factory.Create(family: hyphen);
            string shownHyphen = rng.Next(2) == 0 ? hyphen.Replace('-', ' ') : hyphen.Split('-')[1];
            Add(new DocumentPlan(hyphenPatient, "hyphenated", hyphenPatient.Given, shownHyphen, true));

            SamplePatient absent2 = factory.Create();
            absent2.OnIndex = false;
            Add(Plain(absent2, "not_on_index"));

            string apostrophe = Names.Apostrophe[rng.Next(Names.Apostrophe.Length)];
            SamplePatient apostrophePatient = factory.Create(family: apostrophe);
            string shownApostrophe = rng.Next(2) == 0 ? apostrophe.Replace("'", string.Empty, StringComparison.Ordinal) : apostrophe.Replace('\'', ' ');
            Add(new DocumentPlan(apostrophePatient, "apostrophe", apostrophePatient.Given, shownApostrophe, true));

            SamplePatient married = factory.Create('F');
            string maiden = married.Family;
            married.Family = factory.OtherFamily(maiden);
            Add(new DocumentPlan(married, "name_change", married.Given, maiden, true));

            for (int i = 0; i < 2; i++)
            {
                SamplePatient old = factory.Create(oldNotes: true);
                Add(new DocumentPlan(old, "no_nhs_number", old.Given, old.Family, false));
            }

            var (formal2, nick2, sex2) = Names.Nicknames[rng.Next(Names.Nicknames.Length)];
            SamplePatient nicknamed2 = factory.Create(sex2, formal2);
            Add(new DocumentPlan(nicknamed2, "nickname", nick2, nicknamed2.Family, true));

            SamplePatient absent3 = factory.Create();
            absent3.OnIndex = false;
            Add(Plain(absent3, "not_on_index"));
        }

        // The rest: ordinary documents; about a third go to a patient who already has one.
        var regulars = new List<SamplePatient>();
        while (plans.Count < count)
        {
            SamplePatient p = regulars.Count > 3 && rng.Next(3) == 0 ? regulars[rng.Next(regulars.Count)] : factory.Create();
            if (!regulars.Contains(p))
            {
                regulars.Add(p);
            }

            Add(Plain(p, "none"));
        }

        Shuffle(plans, rng);
        for (int i = 0; i < plans.Count; i++)
        {
            DetailDocument(plans[i], i + 1, rng);
        }

        AssignFormats(plans, rng);
        EnsureOcrProbe(plans);
        foreach (DocumentPlan plan in plans)
        {
            plan.RenderSeed = rng.Next();
        }

        return plans;
    }

    /// <summary>
    /// Round robin over the twelve families (plans are shuffled, so families fall on random patients and hard cases); each
    /// patient's hospital number takes the trust format of the family of its first document.
    /// </summary>
    private static void AssignFamilies(List<DocumentPlan> plans)
    {
        string[] families = [.. LayoutFamilies.All];
        var formatted = new HashSet<SamplePatient>();
        for (int i = 0; i < plans.Count; i++)
        {
            DocumentPlan plan = plans[i];
            plan.Family = families[i % families.Length];
            if (formatted.Add(plan.Patient))
            {
                plan.Patient.HospitalNumber = LayoutFamilies.HospitalNumber(plan.Family, plan.Patient.HospitalNumber);
            }
        }
    }

    private static void DetailDocument(DocumentPlan plan, int number, Random rng)
    {
        plan.Number = number;
        int roll = rng.Next(100);
        plan.DocumentType = roll switch
        {
            < 35 => DocumentTypes.ClinicLetter,
            < 55 => DocumentTypes.DischargeSummary,
            < 75 => DocumentTypes.LabReport,
            _ => DocumentTypes.ContinuationSheet,
        };
        plan.Quality = rng.Next(100) switch
        {
            < 45 => "clean",
            < 90 => "mild",
            _ => "hard",
        };

        // Documents carrying NHS numbers date from 1997 on; old notes (no NHS number) from before 1996.
        DateOnly from = plan.ShowNhs ? new DateOnly(1997, 1, 1) : new DateOnly(1978, 1, 1);
        DateOnly to = plan.ShowNhs ? new DateOnly(2024, 12, 31) : new DateOnly(1995, 12, 31);
        DateOnly earliest = plan.Patient.Dob.AddDays(30);
        if (earliest > from)
        {
            from = earliest;
        }

        int days = Math.Max(0, to.DayNumber - from.DayNumber);
        plan.DocumentDate = DateOnly.FromDayNumber(from.DayNumber + rng.Next(days + 1));
    }

    private static void AssignFormats(List<DocumentPlan> plans, Random rng)
    {
        (string Format, int Weight)[] weights =
        [
            (SampleFormats.TiffG4, 52), (SampleFormats.Jpeg, 12), (SampleFormats.PdfImage, 14), (SampleFormats.PdfText, 9),
            (SampleFormats.Png, 5), (SampleFormats.TiffLzw, 6), (SampleFormats.TiffNone, 2),
        ];
        int total = weights.Sum(w => w.Weight);
        int uncompressedCap = Math.Max(1, plans.Count / 80);
        int uncompressed = 0;
        for (int i = 0; i < plans.Count; i++)
        {
            string format;
            if (i < SampleFormats.All.Length)
            {
                format = SampleFormats.All[i]; // plans are shuffled, so this is every format once, at random documents
            }
            else
            {
                do
                {
                    int pick = rng.Next(total);
                    format = weights.First(w => (pick -= w.Weight) < 0).Format;
                }
                while (format == SampleFormats.TiffNone && uncompressed >= uncompressedCap);
            }

            if (format == SampleFormats.TiffNone)
            {
                uncompressed++;
            }

            DocumentPlan plan = plans[i];
            plan.Format = format;
            bool singlePage = format is SampleFormats.Png or SampleFormats.Jpeg or SampleFormats.TiffNone;
            plan.Pages = singlePage ? 1 : plan.DocumentType switch
            {
                DocumentTypes.ClinicLetter => rng.Next(10) < 7 ? 1 : 2,
                DocumentTypes.DischargeSummary => rng.Next(1, 4),
                DocumentTypes.LabReport => rng.Next(1, 3),
                _ => rng.Next(1, 4),
            };
            plan.Dpi = format switch
            {
                SampleFormats.PdfText => 72,
                SampleFormats.TiffNone => 200,
                SampleFormats.TiffLzw => 200, // 8-bit LZW is large at 300 DPI
                _ => rng.Next(100) < 20 ? 200 : 300,
            };
            if (format == SampleFormats.PdfText)
            {
                plan.Quality = "clean";
            }
        }
    }

    /// <summary>Makes sure at least one clean 300-DPI single-page TIFF letter with an NHS number exists (the OCR smoke test).</summary>
    private static void EnsureOcrProbe(List<DocumentPlan> plans)
    {
        static bool Candidate(DocumentPlan p) => p.ShowNhs && p.Patient.OnIndex && p.HardCase != "mpi_nhs_mistyped";
        bool Probe(DocumentPlan p) => Candidate(p) && p.DocumentType == DocumentTypes.ClinicLetter && p.Format == SampleFormats.TiffG4
            && p.Dpi == 300 && p.Quality != "hard";
        if (plans.Any(Probe))
        {
            return;
        }

        DocumentPlan? target = plans.FirstOrDefault(p => p.Format == SampleFormats.TiffG4 && Candidate(p))
            ?? plans.FirstOrDefault(p => Candidate(p) && plans.Count(q => q.Format == p.Format) > 1);
        if (target is null)
        {
            return;
        }

        target.DocumentType = DocumentTypes.ClinicLetter;
        target.Format = SampleFormats.TiffG4;
        target.Dpi = 300;
        target.Quality = "clean";
        target.Pages = Math.Min(Math.Max(target.Pages, 1), 2);
    }

    private static List<SamplePatient> PlanIndex(List<DocumentPlan> plans, int multiplier, int minimumRows, PatientFactory factory, Random rng)
    {
        var used = plans.Select(p => p.Patient).Distinct().ToList();
        var everyone = new List<SamplePatient>(used);
        int target = Math.Max(multiplier * used.Count(p => p.OnIndex), minimumRows);
        int indexed = used.Count(p => p.OnIndex);
        while (indexed < target)
        {
            // Some decoys live with a document's patient (same family name, address and postcode).
            SamplePatient decoy = rng.Next(100) < 15
                ? factory.Relative(used[rng.Next(used.Count)])
                : factory.Create();
            everyone.Add(decoy);
            indexed++;
        }

        Shuffle(everyone, rng);
        for (int i = 0; i < everyone.Count; i++)
        {
            everyone[i].Id = "P" + (i + 1).ToString("D6", CultureInfo.InvariantCulture);
        }

        return everyone;
    }

    private static string MpiCsv(List<SamplePatient> patients)
    {
        var sb = new StringBuilder();
        sb.Append("patient_id,nhs_number,hospital_number,family_name,given_name,date_of_birth,sex,postcode,address\n");
        foreach (SamplePatient p in patients.Where(p => p.OnIndex).OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            AppendRow(sb, p.Id, p.IndexNhs ?? p.Nhs, p.HospitalNumber, p.Family, p.Given,
                p.Dob.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), p.Sex.ToString(), p.Postcode, p.Address);
        }

        return sb.ToString();
    }

    private static string TruthCsv(List<SampleDocument> documents)
    {
        var sb = new StringBuilder();
        sb.Append("source_file,document_type,pages,patient_id,on_index,hard_case,format,dpi,quality,family\n");
        foreach (SampleDocument d in documents)
        {
            AppendRow(sb, d.SourceFile, d.DocumentType, d.Pages.ToString(CultureInfo.InvariantCulture), d.PatientId,
                d.OnIndex ? "true" : "false", d.HardCase, d.Format, d.Dpi.ToString(CultureInfo.InvariantCulture), d.Quality, d.Family);
        }

        return sb.ToString();
    }

    private static void AppendRow(StringBuilder sb, params string[] fields)
    {
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            string f = fields[i];
            if (f.AsSpan().IndexOfAny(",\"\n") >= 0)
            {
                sb.Append('"').Append(f.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                sb.Append(f);
            }
        }

        sb.Append('\n');
    }

    private static void Shuffle<T>(List<T> items, Random rng)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
