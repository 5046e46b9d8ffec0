using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Digitise.Benchmarks;

/// <summary>
/// A corpus whose pages have known text (<c>truth/STEM.txt</c> beside <c>pages/STEM.*</c>) and, where they name a
/// patient, known identifiers (<c>identifiers.csv</c>: stem, NHS number, date of birth as printed).
/// Two kinds: pages made another way than the project's generator (Tesseract's own <c>text2image</c>: Pango
/// rendering in URW fonts at 200-400 dpi with its speckle, erosion/dilation and rotation, written as CCITT G4 TIFF),
/// and the real scans with ground truth in ../shared/corpora (linked, not copied).
/// </summary>
internal sealed record KnownTextCorpus(string Name, string Directory, IReadOnlyList<string> PageFiles, IReadOnlyDictionary<string, (string Nhs, string Dob)> Identifiers)
{
    private static readonly string[] Fonts = ["Nimbus Roman", "C059", "P052", "Nimbus Sans", "Nimbus Mono PS", "URW Gothic", "DejaVu Serif"];

    private static readonly string[] Sentences =
    [
        "Thank you for referring this patient, whom I saw in the outpatient clinic today.",
        "She describes intermittent palpitations over the past three months, worse on exertion.",
        "There has been no syncope, chest pain or breathlessness at rest.",
        "On examination the pulse was 76 and regular and the blood pressure 138/82.",
        "Heart sounds were normal and the chest was clear to auscultation.",
        "An electrocardiogram showed sinus rhythm with occasional ventricular ectopic beats.",
        "I have arranged a 24-hour Holter monitor and a transthoracic echocardiogram.",
        "Please continue ramipril 5 mg once daily and atorvastatin 20 mg at night.",
        "His HbA1c was 58 mmol/mol, an improvement on the previous result of 64.",
        "The wound has healed well and the sutures were removed without difficulty.",
        "Renal function is stable with an eGFR of 61 and potassium of 4.3 mmol/L.",
        "We discussed the risks and benefits of surgery and she wishes to proceed.",
        "I will see him again in the clinic in six weeks with the results.",
        "Physiotherapy has been arranged and a walking frame supplied for home.",
        "The chest X-ray shows resolving consolidation in the right lower lobe.",
        "Allergies: penicillin (rash). Smoking: ex-smoker, stopped in 2015.",
    ];

    private static readonly string[] Family = ["Smith", "Jones", "Taylor", "Brown", "O'Connor", "Patel", "Wilson", "MacDonald", "Evans", "Thompson", "Khan", "Robinson"];

    private static readonly string[] Given = ["Margaret", "John", "Aisha", "David", "Sarah", "Peter", "Fatima", "James", "Eleanor", "Thomas"];

    public int Pages => PageFiles.Count;

    public string PagesDirectory => Path.Combine(Directory, "pages");

    public string? TruthFor(string pageFile)
    {
        string truth = Path.Combine(Directory, "truth", Path.GetFileNameWithoutExtension(pageFile) + ".txt");
        return File.Exists(truth) ? File.ReadAllText(truth) : null;
    }

    /// <summary>The real scans with ground truth: tesseract-test (8087_054.3B, eurotext, phototest and its rotations) and OCRmyPDF's linn.png.</summary>
    public static KnownTextCorpus Real(string benchDirectory, string shared)
    {
        string dir = Path.Combine(benchDirectory, "corpus", "real");
        if (System.IO.Directory.Exists(dir))
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }

        string pages = Path.Combine(dir, "pages");
        string truth = Path.Combine(dir, "truth");
        System.IO.Directory.CreateDirectory(pages);
        System.IO.Directory.CreateDirectory(truth);
        string tt = Path.Combine(shared, "corpora", "tesseract-test");
        (string Image, string Truth)[] files =
        [
            (Path.Combine(tt, "8087_054.3B.tif"), Path.Combine(tt, "8087_054.3B.txt")),
            (Path.Combine(tt, "eurotext.tif"), Path.Combine(tt, "eurotext.txt")),
            (Path.Combine(tt, "phototest.tif"), Path.Combine(tt, "phototest.txt")),
            (Path.Combine(tt, "phototest-rotated-180.png"), Path.Combine(tt, "phototest.txt")),
            (Path.Combine(tt, "phototest-rotated-L.png"), Path.Combine(tt, "phototest.txt")),
            (Path.Combine(tt, "phototest-rotated-R.png"), Path.Combine(tt, "phototest.txt")),
            (Path.Combine(shared, "corpora", "ocrmypdf", "linn.png"), Path.Combine(shared, "corpora", "ocrmypdf", "linn.txt")),
        ];
        var list = new List<string>();
        foreach ((string image, string text) in files.Where(f => File.Exists(f.Image) && File.Exists(f.Truth)))
        {
            string link = Path.Combine(pages, Path.GetFileName(image));
            File.CreateSymbolicLink(link, image);
            File.CreateSymbolicLink(Path.Combine(truth, Path.GetFileNameWithoutExtension(image) + ".txt"), text);
            list.Add(link);
        }

        return new KnownTextCorpus("real scans (tesseract-test, OCRmyPDF linn.png)", dir, [.. list.Order(StringComparer.Ordinal)], new Dictionary<string, (string, string)>());
    }

    /// <summary>Letters rendered by <c>text2image</c> (cached under <c>corpus/t2i-p{pages}-s{seed}</c>); null when text2image is missing.</summary>
    public static KnownTextCorpus? MadeAnotherWay(string benchDirectory, int pages, int seed, TextWriter log)
    {
        if (ChildProcess.Which("text2image") is not string text2image)
        {
            log.WriteLine("digitise-bench: text2image (tesseract-ocr) not installed; the other-generator corpus is skipped");
            return null;
        }

        string dir = Path.Combine(benchDirectory, "corpus", string.Create(CultureInfo.InvariantCulture, $"t2i-p{pages}-s{seed}"));
        string marker = Path.Combine(dir, "corpus.txt");
        if (!File.Exists(marker))
        {
            if (System.IO.Directory.Exists(dir))
            {
                System.IO.Directory.Delete(dir, recursive: true);
            }

            long started = Stopwatch.GetTimestamp();
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"digitise-bench: rendering {pages} letters with text2image (seed {seed}) ..."));
            Render(dir, text2image, pages, seed);
            File.WriteAllText(marker, string.Create(CultureInfo.InvariantCulture, $"pages={pages}\nseed={seed}\n"));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"digitise-bench: corpus {dir} ready in {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s"));
        }

        var identifiers = File.ReadAllLines(Path.Combine(dir, "identifiers.csv")).Skip(1)
            .Select(l => l.Split(','))
            .ToDictionary(p => p[0], p => (p[1], p[2]), StringComparer.Ordinal);
        List<string> files = [.. System.IO.Directory.GetFiles(Path.Combine(dir, "pages")).Order(StringComparer.Ordinal)];
        return new KnownTextCorpus("made another way (text2image: URW fonts, 200-400 dpi, G4, its own degradation)", dir, files, identifiers);
    }

    private static void Render(string dir, string text2image, int pages, int seed)
    {
        string pageDir = Path.Combine(dir, "pages");
        string truthDir = Path.Combine(dir, "truth");
        string work = Path.Combine(dir, "work");
        System.IO.Directory.CreateDirectory(pageDir);
        System.IO.Directory.CreateDirectory(truthDir);
        System.IO.Directory.CreateDirectory(work);
        var rng = new Random(seed);
        var jobs = new List<(string Stem, string Text, string Font, int Dpi, int PtSize, int Exposure, string Nhs, string Dob)>();
        for (int i = 0; i < pages; i++)
        {
            string nhs = NhsNumber(rng);
            var dob = new DateOnly(rng.Next(1930, 2010), rng.Next(1, 13), rng.Next(1, 29));
            string shownNhs = $"{nhs[..3]} {nhs[3..6]} {nhs[6..]}";
            string shownDob = dob.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"Re: {Given[rng.Next(Given.Length)]} {Family[rng.Next(Family.Length)]}, NHS number {shownNhs}, date of birth {shownDob}.\n");
            int sentences = rng.Next(10, 22);
            for (int s = 0; s < sentences; s++)
            {
                text.Append(Sentences[rng.Next(Sentences.Length)]).Append(s % 4 == 3 ? "\n" : " ");
            }

            int[] dpis = [200, 300, 300, 400];
            jobs.Add((string.Create(CultureInfo.InvariantCulture, $"letter-{i + 1:D4}"), text.ToString(), Fonts[rng.Next(Fonts.Length)],
                dpis[rng.Next(dpis.Length)], rng.Next(9, 13), rng.Next(-1, 2), nhs, shownDob));
        }

        var ids = new StringBuilder("stem,nhs_number,date_of_birth\n");
        Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, job =>
        {
            string input = Path.Combine(work, job.Stem + ".txt");
            File.WriteAllText(input, job.Text);
            string outputBase = Path.Combine(work, job.Stem);

            // A4 at the page's resolution, one-inch margins.
            string[] args =
            [
                "--text", input, "--outputbase", outputBase, "--font", job.Font, "--fonts_dir", "/usr/share/fonts",
                "--resolution", job.Dpi.ToString(CultureInfo.InvariantCulture),
                "--xsize", ((int)(8.27 * job.Dpi)).ToString(CultureInfo.InvariantCulture),
                "--ysize", ((int)(11.69 * job.Dpi)).ToString(CultureInfo.InvariantCulture),
                "--margin", job.Dpi.ToString(CultureInfo.InvariantCulture),
                "--ptsize", job.PtSize.ToString(CultureInfo.InvariantCulture),
                "--exposure", job.Exposure.ToString(CultureInfo.InvariantCulture),
                "--leading", (job.PtSize * job.Dpi / 150).ToString(CultureInfo.InvariantCulture),
            ];
            ChildResult result = ChildProcess.RunAsync(text2image, args, work, null, CancellationToken.None).GetAwaiter().GetResult();
            string tif = outputBase + ".tif";
            if (result.ExitCode != 0 || !File.Exists(tif))
            {
                throw new InvalidOperationException($"text2image failed for {job.Stem} ({job.Font}): {result.Stderr}");
            }

            File.Move(tif, Path.Combine(pageDir, job.Stem + ".tif"));
            File.WriteAllText(Path.Combine(truthDir, job.Stem + ".txt"), job.Text);
        });
        foreach (var job in jobs)
        {
            ids.Append(CultureInfo.InvariantCulture, $"{job.Stem},{job.Nhs},{job.Dob}\n");
        }

        File.WriteAllText(Path.Combine(dir, "identifiers.csv"), ids.ToString());
        System.IO.Directory.Delete(work, recursive: true);
    }

    /// <summary>A random NHS number that passes the modulus 11 check.</summary>
    private static string NhsNumber(Random rng)
    {
        while (true)
        {
            var digits = new int[9];
            int sum = 0;
            for (int i = 0; i < 9; i++)
            {
                digits[i] = i == 0 ? rng.Next(4, 7) : rng.Next(10);
                sum += digits[i] * (10 - i);
            }

            int check = 11 - (sum % 11);
            if (check == 10)
            {
                continue;
            }

            return string.Concat(digits) + (check == 11 ? 0 : check).ToString(CultureInfo.InvariantCulture);
        }
    }
}
