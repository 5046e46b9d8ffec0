using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace Digitise.Benchmarks;

/// <summary>Raw Tesseract against the pipeline on one corpus: speed, memory and, where the text is known, quality.</summary>
/// <remarks>
/// <see cref="Raw"/> is Tesseract as Debian ships it (libgomp, OMP_THREAD_LIMIT=1, Leptonica as called), the reference; <see cref="RawSerial"/> is
/// the same engine as the pipeline's (the serial OpenMP runtime, the faster Leptonica calls), so pipeline / raw serial is the
/// pipeline's own cost.
/// <see cref="RawTextsDiffer"/> counts the pages whose text the two raw runs read differently (null: not compared).
/// </remarks>
internal sealed record CorpusComparison(
    string Corpus,
    BenchRow Raw,
    BenchRow RawSerial,
    BenchRow Pipeline,
    IReadOnlyList<PageQualityRow> PageRows,
    int? RawTextsDiffer)
{
    public double? RawCer => PageRows.Count == 0 ? null : PageRows.Average(p => p.RawCer);

    public double? PipelineCer => PageRows.Count == 0 ? null : PageRows.Average(p => p.PipelineCer);

    /// <summary>Pages whose pipeline CER is above raw's by more than a character in a thousand.</summary>
    public int PagesWorse => PageRows.Count(p => p.PipelineCer > p.RawCer + 0.001);

    /// <summary>
    /// Pipeline / raw pages per second by wall time in each pair of alternating runs (pair i = raw run i, pipeline run i); null
    /// unless both rows are medians of the same number of runs.
    /// </summary>
    public IReadOnlyList<double>? PairRatios =>
        Raw.RunSeconds is { } raw && Pipeline.RunSeconds is { } pipeline && raw.Count == pipeline.Count
            ? [.. raw.Zip(pipeline, (r, p) => (Pipeline.Pages / p) / (Raw.Pages / r))]
            : null;
}

/// <summary>One page's character error rate raw and through the pipeline, and whether its NHS number and date of birth were read exactly.</summary>
internal sealed record PageQualityRow(string Page, double RawCer, double PipelineCer, bool? RawIdentifiers, bool? PipelineIdentifiers);

internal static partial class BenchmarkRunner
{
    /// <summary>
    /// Raw (reused engines, one per core, text kept) then the pipeline (`digitise run`) on the same pages, alternately
    /// <paramref name="repeat"/> times each; CER per page where the text is known, from the last run's texts.
    /// </summary>
    private static async Task<CorpusComparison> CompareAsync(
        string? cliDll, string corpusName, string pagesDirectory, int pages, string mpiCsv, Func<string, string?> truthFor,
        IReadOnlyDictionary<string, (string Nhs, string Dob)> identifiers, int cores, int repeat, string work, TextWriter log, CancellationToken cancellationToken)
    {
        BenchRow[] alternated = await AlternateAsync(repeat, log,
            run => CeilingAsync(pagesDirectory, pages, cores, asPipeline: false, Path.Combine(RunFolder(work, run, repeat), "raw"), Path.Combine(RunFolder(work, run, repeat), "raw-text"), log, cancellationToken),
            run => CeilingAsync(pagesDirectory, pages, cores, asPipeline: true, Path.Combine(RunFolder(work, run, repeat), "raw-serial"), Path.Combine(RunFolder(work, run, repeat), "raw-serial-text"), log, cancellationToken),
            run => PipelineAsync(cliDll, pagesDirectory, pages, mpiCsv, Path.Combine(RunFolder(work, run, repeat), "pipeline"), $"Pipeline, {corpusName}", log, cancellationToken)).ConfigureAwait(false);
        (BenchRow raw, BenchRow rawSerial, BenchRow pipeline) = (alternated[0], alternated[1], alternated[2]);

        // The texts are the same in every run; the last run's are read.
        string lastRun = RunFolder(work, repeat - 1, repeat);
        string rawText = Path.Combine(lastRun, "raw-text");
        int? textsDiffer = raw.Ran && rawSerial.Ran && raw.Note is null && rawSerial.Note is null ? await CountDifferentTextsAsync(rawText, Path.Combine(lastRun, "raw-serial-text"), cancellationToken).ConfigureAwait(false) : null;
        var rows = new List<PageQualityRow>();
        string db = Path.Combine(lastRun, "pipeline", "fresh.db");
        if (!raw.Ran || !pipeline.Ran || !File.Exists(db))
        {
            return new CorpusComparison(corpusName, raw, rawSerial, pipeline, rows, textsDiffer);
        }

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly }.ToString());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (string file in Directory.GetFiles(pagesDirectory).Order(StringComparer.Ordinal))
        {
            if (truthFor(file) is not string truth)
            {
                continue;
            }

            string stem = Path.GetFileNameWithoutExtension(file);
            string rawFile = Path.Combine(rawText, stem + ".0.txt");
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "SELECT text FROM pages WHERE sha256 = $sha AND page_number = 1;";
            command.Parameters.AddWithValue("$sha", Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false))));
            if (!File.Exists(rawFile) || await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not string piped)
            {
                continue;
            }

            string rawRead = await File.ReadAllTextAsync(rawFile, cancellationToken).ConfigureAwait(false);
            (bool? rawIds, bool? pipedIds) = identifiers.TryGetValue(stem, out var ids)
                ? ((bool?)ReadsExactly(rawRead, ids), (bool?)ReadsExactly(piped, ids))
                : ((bool?)null, (bool?)null);
            rows.Add(new PageQualityRow(Path.GetFileName(file), CharacterErrorRate.Of(rawRead, truth), CharacterErrorRate.Of(piped, truth), rawIds, pipedIds));
        }

        return new CorpusComparison(corpusName, raw, rawSerial, pipeline, rows, textsDiffer);
    }

    /// <summary>Pages whose text differs between two raw runs' text folders (a page missing from either counts as different).</summary>
    private static async Task<int> CountDifferentTextsAsync(string left, string right, CancellationToken cancellationToken)
    {
        string[] names = [.. Directory.GetFiles(left).Concat(Directory.GetFiles(right)).Select(Path.GetFileName).OfType<string>().Distinct(StringComparer.Ordinal)];
        int different = 0;
        foreach (string name in names)
        {
            string a = Path.Combine(left, name), b = Path.Combine(right, name);
            if (!File.Exists(a) || !File.Exists(b)
                || await File.ReadAllTextAsync(a, cancellationToken).ConfigureAwait(false) != await File.ReadAllTextAsync(b, cancellationToken).ConfigureAwait(false))
            {
                different++;
            }
        }

        return different;
    }

    /// <summary>The NHS number (any spacing) and the date of birth as printed both appear in the text.</summary>
    private static bool ReadsExactly(string text, (string Nhs, string Dob) ids)
    {
        string compact = new([.. text.Where(c => !char.IsWhiteSpace(c))]);
        return compact.Contains(ids.Nhs, StringComparison.Ordinal) && compact.Contains(ids.Dob, StringComparison.Ordinal);
    }

    private static string SharedFolder(string root) =>
        Environment.GetEnvironmentVariable("DIGITISE_SHARED") is { Length: > 0 } configured ? configured : Path.GetFullPath(Path.Combine(root, "..", "shared"));

    private static void PrintComparisons(TextWriter o, IReadOnlyList<CorpusComparison> comparisons, int repeat)
    {
        var inv = CultureInfo.InvariantCulture;
        static string Cer(double? cer) => cer is double c ? c.ToString("0.00%", CultureInfo.InvariantCulture) : "-";
        static string Mib(BenchRow row) => row.PeakKb > 0 ? string.Create(CultureInfo.InvariantCulture, $"{row.PeakKb / 1024.0:0} MiB") : "-";
        static string CpuPerPage(BenchRow row) => row.CpuSeconds > 0 ? (row.CpuSeconds / row.Pages).ToString("0.00", CultureInfo.InvariantCulture) : "-";
        static string Rate(BenchRow row) => row.Ran && row.Note is null ? row.PagesPerSecond.ToString("0.00", CultureInfo.InvariantCulture) : row.Note ?? "-";

        string repeated = repeat == 1
            ? string.Empty
            : string.Create(inv, $". Each throughput figure is the median of {repeat} alternating runs (raw, raw serial, pipeline, raw, ...), wall and CPU seconds each their own median; peak memory is the highest of the runs; CER and identifiers are from the last run (they do not change from run to run)");
        o.WriteLine();
        o.WriteLine("Raw Tesseract (same engine settings: page segmentation 3, one thread per engine, one reused engine per core, text only) against the pipeline end to end (`digitise run`, QA + every separation mode on), on the same pages in the same run. Raw is Tesseract as Debian ships it, on libgomp at OMP_THREAD_LIMIT=1 with Leptonica's own functions (the reference); raw serial is the same engine as the pipeline's, on the serial OpenMP runtime with two of Tesseract's Leptonica calls served faster to the same result (tessimages.c), so pipeline / raw serial is the pipeline's own cost. Pages/s is wall time on this shared machine (start-up included); CPU s/page is the user + system time of each row's processes, which other users' work disturbs far less" + repeated + ":");
        o.WriteLine();
        o.WriteLine("| Corpus | Pages | Raw pages/s | Raw serial pages/s | Pipeline pages/s | Pipeline / raw | Pipeline / raw serial | Raw CPU s/page | Raw serial CPU s/page | Pipeline CPU s/page | Pipeline / raw, by CPU | Pipeline / raw serial, by CPU | Raw texts differ, raw / raw serial | Raw CER | Pipeline CER | Pages with higher CER | NHS no. + DOB exact, raw / pipeline | Raw peak | Pipeline peak |");
        o.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (CorpusComparison c in comparisons)
        {
            static string WallRatio(BenchRow pipeline, BenchRow raw) =>
                raw.Ran && pipeline.Ran && raw.Note is null && pipeline.Note is null ? (pipeline.PagesPerSecond / raw.PagesPerSecond).ToString("0.00", CultureInfo.InvariantCulture) : "-";
            static string CpuRatio(BenchRow pipeline, BenchRow raw) =>
                raw.PagesPerCpuSecond > 0 && pipeline.PagesPerCpuSecond > 0 && raw.Note is null && pipeline.Note is null
                    ? (pipeline.PagesPerCpuSecond / raw.PagesPerCpuSecond).ToString("0.00", CultureInfo.InvariantCulture)
                    : "-";
            string differ = c.RawTextsDiffer is int d ? string.Create(inv, $"{d} of {c.Raw.Pages}") : "-";
            var withIds = c.PageRows.Where(p => p.RawIdentifiers is not null).ToList();
            string ids = withIds.Count == 0 ? "-" : string.Create(inv, $"{withIds.Count(p => p.RawIdentifiers == true)} / {withIds.Count(p => p.PipelineIdentifiers == true)} of {withIds.Count}");
            string worse = c.PageRows.Count == 0 ? "-" : string.Create(inv, $"{c.PagesWorse} of {c.PageRows.Count}");
            o.WriteLine(string.Create(inv, $"| {c.Corpus} | {c.Raw.Pages} | {Rate(c.Raw)} | {Rate(c.RawSerial)} | {Rate(c.Pipeline)} | **{WallRatio(c.Pipeline, c.Raw)}** | {WallRatio(c.Pipeline, c.RawSerial)} | {CpuPerPage(c.Raw)} | {CpuPerPage(c.RawSerial)} | {CpuPerPage(c.Pipeline)} | **{CpuRatio(c.Pipeline, c.Raw)}** | {CpuRatio(c.Pipeline, c.RawSerial)} | {differ} | {Cer(c.RawCer)} | {Cer(c.PipelineCer)} | {worse} | {ids} | {Mib(c.Raw)} | {Mib(c.Pipeline)} |"));
        }

        foreach (CorpusComparison c in comparisons.Where(c => c.PageRows.Count is > 0 and <= 12))
        {
            o.WriteLine();
            o.WriteLine($"Per page, {c.Corpus}:");
            o.WriteLine();
            o.WriteLine("| Page | Raw CER | Pipeline CER |");
            o.WriteLine("|---|---:|---:|");
            foreach (PageQualityRow p in c.PageRows)
            {
                o.WriteLine(string.Create(inv, $"| {p.Page} | {p.RawCer:0.00%} | {p.PipelineCer:0.00%} |"));
            }
        }

        if (repeat > 1)
        {
            o.WriteLine();
            o.WriteLine(string.Create(inv, $"Spread of pipeline / raw by wall time over the {repeat} pairs of runs (pair i = raw run i, then pipeline run i), lowest to highest, then each pair in run order:"));
            o.WriteLine();
            foreach (CorpusComparison c in comparisons)
            {
                string spread = c.PairRatios is { } ratios
                    ? string.Create(inv, $"{ratios.Min():0.00} to {ratios.Max():0.00} ({string.Join(", ", ratios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))})")
                    : "no spread (a run failed or did not run)";
                o.WriteLine($"- {c.Corpus}: {spread}");
            }
        }
    }
}
