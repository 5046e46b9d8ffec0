using System.Globalization;

namespace Digitise.VerifyBench;

/// <summary>Command-line options of the confirm-and-next benchmark.</summary>
internal sealed class VerifyBenchOptions
{
    public const string Usage =
        "usage: digitise-bench-verify [--documents N (10000)] [--rounds R (300)] [--warmup W (20)] [--auto-filed A (10000)]\n" +
        "                             [--patients P (20000)] [--words-per-page K (220)] [--seed S (1)] [--threshold-ms T (100)] [--keep]\n" +
        "Seeds a temporary SQLite database with N needs_verification documents (plus A auto-filed ones and an index of P patients),\n" +
        "starts the verification app on a free loopback port, signs in as a clerk and times W + R confirm-and-next round trips\n" +
        "(the first W are not counted). Markdown on stdout; exit 1 when the server p95 of the round trip is T ms or more.";

    /// <summary>Flagged documents in the queue at the start.</summary>
    public int Documents { get; init; } = 10_000;

    /// <summary>Measured confirm-and-next round trips.</summary>
    public int Rounds { get; init; } = 300;

    /// <summary>Round trips before measuring (JIT, caches, connection pools); not counted.</summary>
    public int Warmup { get; init; } = 20;

    /// <summary>Auto-filed documents beside the queue (a real database holds many more of these than flagged ones).</summary>
    public int AutoFiled { get; init; } = 10_000;

    /// <summary>Patients on the index.</summary>
    public int Patients { get; init; } = 20_000;

    /// <summary>Recognised words stored per page (a typed clinic letter has 150-400).</summary>
    public int WordsPerPage { get; init; } = 220;

    public int Seed { get; init; } = 1;

    /// <summary>The server p95 of a round trip must stay under this.</summary>
    public double ThresholdMs { get; init; } = 100;

    /// <summary>Keep the temporary database (its path is printed).</summary>
    public bool Keep { get; init; }

    public static VerifyBenchOptions? Parse(IReadOnlyList<string> args, TextWriter error)
    {
        int documents = 10_000, rounds = 300, warmup = 20, autoFiled = 10_000, patients = 20_000, words = 220, seed = 1;
        double threshold = 100;
        bool keep = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help")
            {
                error.WriteLine(Usage);
                return null;
            }

            if (arg == "--keep")
            {
                keep = true;
                continue;
            }

            if (i + 1 >= args.Count)
            {
                error.WriteLine($"digitise-bench-verify: {arg} needs a value (or is unknown)\n{Usage}");
                return null;
            }

            string value = args[++i];
            bool ok = arg switch
            {
                "--documents" => TryCount(value, 1, out documents),
                "--rounds" => TryCount(value, 1, out rounds),
                "--warmup" => TryCount(value, 0, out warmup),
                "--auto-filed" => TryCount(value, 0, out autoFiled),
                "--patients" => TryCount(value, 10, out patients),
                "--words-per-page" => TryCount(value, 30, out words),
                "--seed" => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed),
                "--threshold-ms" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out threshold) && threshold > 0,
                _ => false,
            };
            if (!ok)
            {
                error.WriteLine($"digitise-bench-verify: bad option {arg} {value}\n{Usage}");
                return null;
            }
        }

        // Every round files one document, so the loop is bounded by the queue: it never runs dry mid-measurement.
        if ((long)rounds + warmup > documents)
        {
            error.WriteLine($"digitise-bench-verify: --rounds + --warmup ({rounds + warmup}) must not exceed --documents ({documents})");
            return null;
        }

        return new VerifyBenchOptions
        {
            Documents = documents,
            Rounds = rounds,
            Warmup = warmup,
            AutoFiled = autoFiled,
            Patients = patients,
            WordsPerPage = words,
            Seed = seed,
            ThresholdMs = threshold,
            Keep = keep,
        };
    }

    private static bool TryCount(string value, int min, out int count) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out count) && count >= min && count <= 10_000_000;
}
