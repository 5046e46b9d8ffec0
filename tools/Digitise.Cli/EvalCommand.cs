using System.CommandLine;
using System.Globalization;
using System.Text;
using Digitise.Hosting;
using Digitise.Indexing.Matching;
using Digitise.Text;

namespace Digitise.Cli;

/// <summary>One document of a run scored against ground truth.</summary>
internal sealed record EvalRow(string SourceFile, string Status, string? PatientId, double? Score, string Reason, string TruthPatientId, bool OnIndex, string HardCase)
{
    /// <summary>The layout family from truth.csv's optional <c>family</c> column ("classic" when absent).</summary>
    public string Family { get; init; } = "classic";
}

/// <summary>
/// <c>digitise eval --truth FILE --manifest DIR/manifest.csv</c>: compares a run with ground truth (the generator's
/// truth.csv: source_file, patient_id, on_index, hard_case) and prints misfiled, straight-through rate, verification rate,
/// right-candidate-on-top rate, a breakdown by hard case, and the threshold curve (straight-through rate against misfiles).
/// </summary>
internal static class EvalCommand
{
    private static readonly double[] Thresholds = [0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99999];

    public static Command Create()
    {
        var truth = new Option<string>("--truth") { Description = "Ground-truth CSV (columns source_file, patient_id, on_index; hard_case optional), e.g. samples/truth.csv.", Required = true };
        var manifest = new Option<string>("--manifest") { Description = "The run's DIR/manifest.csv.", Required = true };
        var command = new Command("eval", "Score a run against ground truth: misfiled, straight-through rate, verification rate, right candidate on top, and the threshold curve.")
        {
            truth, manifest,
        };
        CommonOptions.SetGuardedAction(command, (parse, _) =>
        {
            IReadOnlyList<EvalRow> rows = Join(parse.GetValue(truth)!, parse.GetValue(manifest)!, out int unscored);
            Print(Console.Out, rows, unscored);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>Each manifest row with its truth, matched on the source path (the shorter path a suffix of the longer, at a '/').</summary>
    public static IReadOnlyList<EvalRow> Join(string truthFile, string manifestFile, out int unscored)
    {
        IReadOnlyList<IReadOnlyDictionary<string, string>> truth = Csv.ReadTable(truthFile, "source_file", "patient_id", "on_index").Rows;
        IReadOnlyList<IReadOnlyDictionary<string, string>> manifest = Csv.ReadTable(manifestFile, "source_file", "status", "patient_id", "match_score", "reason").Rows;
        var byName = truth.ToLookup(t => Path.GetFileName(Normalise(t["source_file"])), StringComparer.Ordinal);
        var rows = new List<EvalRow>();
        unscored = 0;
        foreach (IReadOnlyDictionary<string, string> m in manifest)
        {
            string path = Normalise(m["source_file"]);
            IReadOnlyDictionary<string, string>? t = byName[Path.GetFileName(path)]
                .Where(t => IsSuffix(path, Normalise(t["source_file"])))
                .OrderByDescending(t => t["source_file"].Length)
                .FirstOrDefault();
            if (t is null)
            {
                unscored++;
                continue;
            }

            rows.Add(new EvalRow(
                path,
                m["status"],
                m["patient_id"].Length == 0 ? null : m["patient_id"],
                double.TryParse(m["match_score"], NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? s : null,
                m["reason"],
                t["patient_id"],
                string.Equals(t["on_index"], "true", StringComparison.OrdinalIgnoreCase) || t["on_index"] == "1",
                t.GetValueOrDefault("hard_case") is { Length: > 0 } hard ? hard : "none")
            {
                Family = t.GetValueOrDefault("family") is { Length: > 0 } family ? family : "classic",
            });
        }

        return rows;
    }

    public static void Print(TextWriter o, IReadOnlyList<EvalRow> rows, int unscored)
    {
        var inv = CultureInfo.InvariantCulture;
        int total = rows.Count;
        int onIndex = rows.Count(r => r.OnIndex);
        int auto = rows.Count(r => r.Status == "auto_filed");
        int misfiled = rows.Count(IsMisfiled);
        int autoCorrect = auto - misfiled;
        int verification = rows.Count(r => r.Status == "needs_verification");
        int unmatched = rows.Count(r => r.Status == "unmatched");
        int quarantined = rows.Count(r => r.Status == "quarantined");
        List<EvalRow> verifyOnIndex = [.. rows.Where(r => r.Status == "needs_verification" && r.OnIndex)];
        int topRight = verifyOnIndex.Count(r => r.PatientId == r.TruthPatientId);
        List<EvalRow> notOnIndex = [.. rows.Where(r => !r.OnIndex)];

        o.WriteLine(string.Create(inv, $"documents scored        {total,7}   (on index {onIndex}, not on index {total - onIndex}; {unscored} manifest row(s) without truth)"));
        o.WriteLine(string.Create(inv, $"misfiled                {misfiled,7}   (auto_filed to the wrong patient, or filed though not on the index)"));
        o.WriteLine(string.Create(inv, $"straight-through        {Pct(autoCorrect, onIndex),7}   ({autoCorrect} of {onIndex} on-index documents filed correctly without a clerk; {Pct(auto, total)} of all documents auto_filed)"));
        o.WriteLine(string.Create(inv, $"verification rate       {Pct(verification, total),7}   ({verification} of {total})"));
        o.WriteLine(string.Create(inv, $"right candidate on top  {Pct(topRight, verifyOnIndex.Count),7}   ({topRight} of {verifyOnIndex.Count} on-index documents in verification)"));
        o.WriteLine(string.Create(inv, $"unmatched               {Pct(unmatched, total),7}   ({unmatched}; quarantined {quarantined})"));
        o.WriteLine(string.Create(inv, $"not on index            {notOnIndex.Count,7}   unmatched {notOnIndex.Count(r => r.Status == "unmatched")}, verification {notOnIndex.Count(r => r.Status == "needs_verification")}, misfiled {notOnIndex.Count(r => r.Status == "auto_filed")}"));

        o.WriteLine();
        o.WriteLine("by hard case            docs   auto  verify unmatched misfiled");
        foreach (IGrouping<string, EvalRow> g in rows.GroupBy(r => r.HardCase).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            o.WriteLine(string.Create(inv, $"  {g.Key,-20} {g.Count(),6} {g.Count(r => r.Status == "auto_filed"),6} {g.Count(r => r.Status == "needs_verification"),7} {g.Count(r => r.Status == "unmatched"),9} {g.Count(IsMisfiled),8}"));
        }

        if (rows.Select(r => r.Family).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            o.WriteLine();
            o.WriteLine("by layout family        docs  on-index  straight-through  verify  top-right  unmatched-with-id  misfiled");
            foreach (IGrouping<string, EvalRow> g in rows.GroupBy(r => r.Family).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                int on = g.Count(r => r.OnIndex);
                int filed = g.Count(r => r.Status == "auto_filed" && r.OnIndex && r.PatientId == r.TruthPatientId);
                List<EvalRow> queue = [.. g.Where(r => r.Status == "needs_verification" && r.OnIndex)];
                int unmatchedOnIndex = g.Count(r => r.Status == "unmatched" && r.OnIndex);
                o.WriteLine(string.Create(inv,
                    $"  {g.Key,-20} {g.Count(),6} {on,9} {Pct(filed, on),17} {queue.Count,7} {Pct(queue.Count(r => r.PatientId == r.TruthPatientId), queue.Count),10} {unmatchedOnIndex,18} {g.Count(IsMisfiled),9}"));
            }
        }

        // Documents the safety rules cleared and only the threshold held back can be re-decided at any threshold.
        o.WriteLine();
        o.WriteLine("threshold curve (auto-file probability; the safety rules and the rival margin unchanged)");
        o.WriteLine("  threshold  straight-through  misfiled  auto_filed");
        List<EvalRow> eligible = [.. rows.Where(IsThresholdEligible)];
        foreach (double threshold in Thresholds)
        {
            List<EvalRow> filed = [.. eligible.Where(r => r.Score >= threshold)];
            int wrong = filed.Count(r => !r.OnIndex || r.PatientId != r.TruthPatientId);
            o.WriteLine(string.Create(inv, $"  {threshold,9:0.#####}  {Pct(filed.Count - wrong, onIndex),16}  {wrong,8}  {filed.Count,10}"));
        }
    }

    private static bool IsMisfiled(EvalRow r) => r.Status == "auto_filed" && (!r.OnIndex || r.PatientId != r.TruthPatientId);

    /// <summary>auto_filed, or sent to a clerk only because the probability was under the threshold.</summary>
    private static bool IsThresholdEligible(EvalRow r) =>
        r.Score is not null && r.PatientId is not null
        && (r.Status == "auto_filed"
            || (r.Status == "needs_verification" && r.Reason.Split("; ").All(p => p == FellegiSunterMatcher.BelowThresholdReason)));

    private static string Pct(int count, int of) => of == 0 ? "-" : (100.0 * count / of).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Normalise(string path) => path.Replace('\\', '/').TrimStart('.', '/');

    private static bool IsSuffix(string a, string b)
    {
        (string longer, string shorter) = a.Length >= b.Length ? (a, b) : (b, a);
        return longer.EndsWith(shorter, StringComparison.Ordinal) && (longer.Length == shorter.Length || longer[longer.Length - shorter.Length - 1] == '/');
    }
}
