using System.Diagnostics;
using System.Globalization;
using Digitise.Data.Sqlite;
using Digitise.Domain;
using Digitise.Indexing;
using Digitise.Indexing.Matching;
using Digitise.Storage;

namespace Digitise.Benchmarks;

/// <summary>
/// <c>digitise-bench mpi</c>: the MPI at scale (issue 3, item 6). Generates (and caches) a synthetic MPI, then in one run
/// measures CSV read + SQLite import, loading and building the in-memory blocking index (time and managed memory),
/// candidate lookup latency through the matcher's real blocking path over realistic noisy documents, an incremental update
/// (changed, new and merged patients), and a FHIR R4 bundle import. Prints a markdown table; exit 1 when a target is missed.
/// </summary>
internal static class MpiBenchmark
{
    public const string Usage =
        "usage: digitise-bench mpi [--patients N (1000000)] [--fhir-patients N (100000)] [--queries N (10000)] [--seed S (1)] [--root DIR]";

    private static readonly TimeSpan ImportTarget = TimeSpan.FromMinutes(2);
    private const double LookupP95TargetMs = 5;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        int patients = 1_000_000, fhirPatients = 100_000, queries = 10_000, seed = 1;
        string? root = null;
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] is "-h" or "--help" || i + 1 >= args.Count)
            {
                await stderr.WriteLineAsync(Usage).ConfigureAwait(false);
                return 2;
            }

            string value = args[++i];
            bool ok = args[i - 1] switch
            {
                "--patients" => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out patients) && patients >= 100,
                "--fhir-patients" => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out fhirPatients) && fhirPatients >= 0,
                "--queries" => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out queries) && queries >= 100,
                "--seed" => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed),
                "--root" => (root = value) is not null,
                _ => false,
            };
            if (!ok)
            {
                await stderr.WriteLineAsync($"digitise-bench: bad option {args[i - 1]} {value}\n{Usage}").ConfigureAwait(false);
                return 2;
            }
        }

        root ??= FindRoot(Directory.GetCurrentDirectory()) ?? Directory.GetCurrentDirectory();
        string folder = Path.Combine(root, "artifacts", "bench", "mpi");
        Directory.CreateDirectory(folder);
        var rows = new List<(string Measure, string Result, string Target, bool? Met)>();
        void Log(string message) => stderr.WriteLine($"bench mpi: {message}");

        // 1. The corpus (cached by size and seed).
        string csv = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"patients-{patients}-s{seed}.csv"));
        if (!File.Exists(csv))
        {
            Log($"generating {patients:N0} patients -> {csv}");
            var generate = Stopwatch.StartNew();
            MpiCorpus.WriteCsv(csv, patients, seed);
            Log($"generated in {generate.Elapsed.TotalSeconds:0.0} s");
        }

        // 2. CSV read + SQLite import into a fresh database.
        string db = Path.Combine(folder, "bench.db");
        DeleteDatabase(db);
        Log("importing CSV into SQLite");
        (TimeSpan readTime, TimeSpan importTime, int importedCount, int badRows) = await ImportCsvAsync(csv, db, cancellationToken).ConfigureAwait(false);
        if (importedCount != patients || badRows != 0)
        {
            Log($"expected {patients} new patients, got {importedCount} ({badRows} bad rows)");
            return 1;
        }

        rows.Add(($"CSV read ({patients:N0} patients, {new FileInfo(csv).Length / 1048576.0:0} MB)", Seconds(readTime), string.Empty, null));
        rows.Add(("SQLite import (prepared upsert, one transaction)", Seconds(importTime - readTime), string.Empty, null));
        rows.Add(("**CSV read + SQLite import**", $"**{Seconds(importTime)}** ({patients / importTime.TotalSeconds:N0} patients/s)", $"< {ImportTarget.TotalSeconds:0} s", importTime < ImportTarget));

        // 2b. What run does with the MPI before its first page, before and after issue 9 (one load, one index), each in a child process.
        rows.AddRange(MpiRunPreparation.Compare(csv, folder, patients, Log));
        rows.Add(MpiRunPreparation.RealRun(csv, folder, patients, Log));

        // 3. Load from SQLite and build the blocking index.
        await using SqliteDigitiseStore bench = await SqliteDigitiseStore.OpenAsync(db, cancellationToken).ConfigureAwait(false);
        long heapBefore = ManagedHeap();
        var clock = Stopwatch.StartNew();
        var loaded = new List<Patient>(patients);
        await foreach (Patient p in bench.ReadPatientsAsync(cancellationToken).ConfigureAwait(false))
        {
            loaded.Add(p);
        }

        TimeSpan loadTime = clock.Elapsed;
        long heapPatients = ManagedHeap();
        clock.Restart();
        var index = new PatientIndex(loaded);
        TimeSpan buildTime = clock.Elapsed;
        long heapIndex = ManagedHeap();
        rows.Add(("Load patients from SQLite", $"{Seconds(loadTime)}, {Megabytes(heapPatients - heapBefore)} managed", string.Empty, null));
        rows.Add(("Build blocking index (7 indexes + name frequencies)", $"{Seconds(buildTime)}, {Megabytes(heapIndex - heapPatients)} managed", string.Empty, null));

        // 4. Candidate lookup latency over realistic documents (OCR noise, partial identifiers, 10% not on the index).
        var matcher = new FellegiSunterMatcher(index);
        var queryRandom = new Random(seed + 7);
        var outsiders = new MpiCorpus(seed + 1000);
        var documents = new List<(IReadOnlyList<ExtractedIdentifier> Identifiers, string? PatientId)>(queries);
        for (int i = 0; i < queries; i++)
        {
            bool onIndex = queryRandom.NextDouble() < 0.9;
            Patient truth = onIndex ? loaded[queryRandom.Next(loaded.Count)] : outsiders.Next("X", i);
            documents.Add((NoisyDocument(truth, queryRandom), onIndex ? truth.PatientId : null));
        }

        for (int i = 0; i < Math.Min(1000, documents.Count); i++)
        {
            _ = matcher.FindCandidates(new DocumentEvidence(documents[i].Identifiers));
            _ = matcher.Score(documents[i].Identifiers);
        }

        var lookup = new double[documents.Count];
        var score = new double[documents.Count];
        long candidates = 0;
        int found = 0, onIndexCount = 0;
        for (int i = 0; i < documents.Count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            IReadOnlyCollection<Patient> hits = matcher.FindCandidates(new DocumentEvidence(documents[i].Identifiers));
            lookup[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            candidates += hits.Count;
            if (documents[i].PatientId is { } expected)
            {
                onIndexCount++;
                foreach (Patient hit in hits)
                {
                    if (hit.PatientId == expected)
                    {
                        found++;
                        break;
                    }
                }
            }

            start = Stopwatch.GetTimestamp();
            _ = matcher.Score(documents[i].Identifiers);
            score[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(lookup);
        Array.Sort(score);
        double p95 = Percentile(lookup, 0.95);
        rows.Add(($"**Candidate lookup** ({documents.Count:N0} documents; blocking through the index)", $"p50 {Ms(Percentile(lookup, 0.5))}, **p95 {Ms(p95)}**, p99 {Ms(Percentile(lookup, 0.99))}", $"p95 < {LookupP95TargetMs:0} ms", p95 < LookupP95TargetMs));
        rows.Add(("Candidates per document; true patient among them", string.Create(CultureInfo.InvariantCulture, $"{(double)candidates / documents.Count:0.0}; {100.0 * found / Math.Max(onIndexCount, 1):0.00}% of {onIndexCount:N0}"), string.Empty, null));
        rows.Add(("Lookup + Fellegi-Sunter scoring of every candidate", $"p50 {Ms(Percentile(score, 0.5))}, p95 {Ms(Percentile(score, 0.95))}, p99 {Ms(Percentile(score, 0.99))}", string.Empty, null));

        // 4b. Identifying the patient on a real OCRed page against this index, as a share of that page's OCR time (issue 11).
        rows.AddRange(MpiPageSearchBenchmark.Run(index, root, Log));

        // 5. Incremental update: 10,000 changed, 1,000 new, 1,000 merged — in the database and in the live index, no reload.
        var changes = new List<Patient>();
        var merges = new List<(string Retired, string Survivor)>();
        var updateRandom = new Random(seed + 11);
        var fresh = new MpiCorpus(seed + 2000);
        for (int i = 0; i < 10_000; i++)
        {
            Patient p = loaded[updateRandom.Next(loaded.Count)];
            changes.Add(p with { Postcode = fresh.Next("Z", i).Postcode, Address = "1 NEW ROAD" });
        }

        for (int i = 0; i < 1_000; i++)
        {
            changes.Add(fresh.Next("N", i));
        }

        var retiredIds = new HashSet<string>(StringComparer.Ordinal);
        while (merges.Count < 1_000)
        {
            string retired = loaded[updateRandom.Next(loaded.Count)].PatientId;
            string survivor = loaded[updateRandom.Next(loaded.Count)].PatientId;
            if (retired != survivor && retiredIds.Add(retired) && !retiredIds.Contains(survivor))
            {
                merges.Add((retired, survivor));
            }
        }

        clock.Restart();
        MpiImportResult upserted = await bench.UpsertPatientsAsync(changes, cancellationToken).ConfigureAwait(false);
        MpiMergeResult merged = await bench.MergePatientsAsync(merges, cancellationToken).ConfigureAwait(false);
        TimeSpan dbUpdate = clock.Elapsed;
        clock.Restart();
        IndexUpdateResult applied = index.Apply(changes);
        int indexMerged = merges.Count(m => index.Merge(m.Retired, m.Survivor));
        TimeSpan indexUpdate = clock.Elapsed;
        rows.Add((
            string.Create(CultureInfo.InvariantCulture, $"Incremental update: {upserted.Updated:N0} changed, {upserted.Imported:N0} new, {merged.Merged:N0} merged"),
            $"SQLite {Seconds(dbUpdate)}; live index {Ms(indexUpdate.TotalMilliseconds)} ({applied.Changed + applied.Added:N0} applied, {indexMerged:N0} merged)",
            string.Empty,
            null));

        // 6. FHIR R4 bundle import into a fresh database.
        if (fhirPatients > 0)
        {
            string bundle = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"fhir-{fhirPatients}-s{seed}.json"));
            if (!File.Exists(bundle))
            {
                Log($"generating a FHIR bundle of {fhirPatients:N0} patients -> {bundle}");
                MpiCorpus.WriteFhirBundle(bundle, fhirPatients, seed);
            }

            string fhirDb = Path.Combine(folder, "bench-fhir.db");
            DeleteDatabase(fhirDb);
            Log("importing the FHIR bundle");
            clock.Restart();
            MpiReadResult fhir = MpiFileReader.Read(bundle, out MpiFileFormat format);
            TimeSpan fhirRead = clock.Elapsed;
            MpiImportResult fhirImported;
            MpiMergeResult fhirMerged;
            await using (SqliteDigitiseStore store = await SqliteDigitiseStore.OpenAsync(fhirDb, cancellationToken).ConfigureAwait(false))
            {
                fhirImported = await store.UpsertPatientsAsync(fhir.Patients, cancellationToken).ConfigureAwait(false);
                fhirMerged = await store.MergePatientsAsync(fhir.Merges, cancellationToken).ConfigureAwait(false);
            }

            TimeSpan fhirTime = clock.Elapsed;
            TimeSpan fhirTarget = ImportTarget * fhirPatients / patients;
            rows.Add((
                $"**FHIR R4 bundle import** ({fhirPatients:N0} resources, {new FileInfo(bundle).Length / 1048576.0:0} MB{(format == MpiFileFormat.FhirBundle ? string.Empty : ", NOT DETECTED AS FHIR")})",
                string.Create(CultureInfo.InvariantCulture, $"**{Seconds(fhirTime)}** (parse {Seconds(fhirRead)}; {fhirImported.Imported:N0} patients, {fhirMerged.Merged:N0} merges; {fhirPatients / fhirTime.TotalSeconds:N0}/s)"),
                $"< {fhirTarget.TotalSeconds:0.#} s (the CSV rate)",
                fhirTime < fhirTarget && format == MpiFileFormat.FhirBundle));
        }

        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"## MPI at scale ({patients:N0} patients, seed {seed}, {Environment.ProcessorCount} cores, .NET {Environment.Version})\n")).ConfigureAwait(false);
        await stdout.WriteLineAsync("| measure | result | target | met |").ConfigureAwait(false);
        await stdout.WriteLineAsync("|---|---|---|---|").ConfigureAwait(false);
        foreach ((string measure, string result, string target, bool? met) in rows)
        {
            await stdout.WriteLineAsync($"| {measure} | {result} | {target} | {(met is null ? string.Empty : met.Value ? "yes" : "**NO**")} |").ConfigureAwait(false);
        }

        GC.KeepAlive(index);
        return rows.TrueForAll(r => r.Met != false) ? 0 : 1;
    }

    /// <summary>The timed import (its own method so the parsed file is garbage once it returns).</summary>
    private static async Task<(TimeSpan Read, TimeSpan Total, int Imported, int BadRows)> ImportCsvAsync(string csv, string db, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        MpiReadResult read = MpiFileReader.Read(csv, out _);
        TimeSpan readTime = clock.Elapsed;
        await using SqliteDigitiseStore store = await SqliteDigitiseStore.OpenAsync(db, cancellationToken).ConfigureAwait(false);
        MpiImportResult imported = await store.UpsertPatientsAsync(read.Patients, cancellationToken).ConfigureAwait(false);
        return (readTime, clock.Elapsed, imported.Imported, read.Errors.Count);
    }

    /// <summary>A document about <paramref name="p"/> as the extractor would read it: identifiers missing at random, OCR noise in some.</summary>
    internal static List<ExtractedIdentifier> NoisyDocument(Patient p, Random random)
    {
        var ids = new List<ExtractedIdentifier>();
        void Add(IdentifierKind kind, string value, bool valid = true, bool corrected = false) =>
            ids.Add(new ExtractedIdentifier(kind, value, value, valid, 0.9, 1, []) { IsCorrected = corrected });

        if (p.NhsNumber is { } nhs && random.NextDouble() < 0.8)
        {
            double noise = random.NextDouble();
            if (noise < 0.08)
            {
                // A digit misread that the check digit catches: an invalid reading.
                char[] digits = nhs.ToCharArray();
                int at = random.Next(9);
                digits[at] = (char)('0' + ((digits[at] - '0' + 1 + random.Next(8)) % 10));
                Add(IdentifierKind.NhsNumber, new string(digits), valid: NhsNumber.IsValid(new string(digits)));
            }
            else
            {
                Add(IdentifierKind.NhsNumber, nhs, corrected: noise < 0.15);
            }
        }

        if (p.HospitalNumber is { } hospital && random.NextDouble() < 0.4)
        {
            Add(IdentifierKind.HospitalNumber, hospital);
        }

        if (p.DateOfBirth is { } dob && random.NextDouble() < 0.9)
        {
            DateOnly shown = dob;
            if (random.NextDouble() < 0.05 && dob.Day <= 12 && dob.Day != dob.Month)
            {
                shown = new DateOnly(dob.Year, dob.Day, Math.Min(dob.Month, DateTime.DaysInMonth(dob.Year, dob.Day)));
            }

            Add(IdentifierKind.DateOfBirth, shown.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        if (random.NextDouble() < 0.95)
        {
            Add(IdentifierKind.FamilyName, random.NextDouble() < 0.15 ? OcrNoise(p.FamilyName, random) : p.FamilyName);
        }

        if (random.NextDouble() < 0.8)
        {
            Add(IdentifierKind.GivenName, random.NextDouble() < 0.1 ? p.GivenName[..1] : random.NextDouble() < 0.1 ? OcrNoise(p.GivenName, random) : p.GivenName);
        }

        if (p.Postcode is { } postcode && random.NextDouble() < 0.5)
        {
            Add(IdentifierKind.Postcode, random.NextDouble() < 0.1 ? postcode.Replace('0', 'O') : postcode);
        }

        if (p.Sex is { } sex && random.NextDouble() < 0.5)
        {
            Add(IdentifierKind.Sex, sex);
        }

        return ids;
    }

    /// <summary>One of OCR's usual confusions in a name: rn/m, l/I, O/0-ish letter swaps, a dropped or doubled letter.</summary>
    private static string OcrNoise(string name, Random random)
    {
        if (name.Length < 3)
        {
            return name;
        }

        int at = 1 + random.Next(name.Length - 2);
        return random.Next(4) switch
        {
            0 when name.Contains('M', StringComparison.Ordinal) => name.Replace("M", "RN", StringComparison.Ordinal),
            1 => name[..at] + name[(at + 1)..],
            2 => name[..at] + name[at] + name[at..],
            _ => name[..at] + (name[at] is 'I' ? 'L' : name[at] is 'O' ? 'Q' : name[at] is 'E' ? 'F' : 'I') + name[(at + 1)..],
        };
    }

    private static double Percentile(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private static long ManagedHeap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "0.000" : "0.0", CultureInfo.InvariantCulture) + " ms";

    private static string Megabytes(long bytes) => (bytes / 1048576.0).ToString("0", CultureInfo.InvariantCulture) + " MB";

    private static void DeleteDatabase(string path)
    {
        foreach (string suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Delete(path + suffix);
        }
    }

    private static string? FindRoot(string start)
    {
        for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Digitise.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
