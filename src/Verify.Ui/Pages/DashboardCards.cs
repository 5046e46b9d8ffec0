using System.Globalization;
using System.Text;
using Digitise.Domain;
using Digitise.Storage;

namespace Digitise.Verify.Ui.Pages;

/// <summary>The dashboard's turnaround card (per arrival day, against the target, and what is at risk) and its batch certificates.</summary>
internal static class DashboardCards
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Hours with one decimal, or a dash when there is nothing to measure.</summary>
    public static string Hours(double? hours) => hours is { } h ? h.ToString("0.0", C) + " h" : "—";

    private static string Share(double? share) => share is { } s ? (s * 100).ToString("0.#", C) + "%" : "—";

    public static string Turnaround(TurnaroundReport t)
    {
        var days = new StringBuilder();
        // Days with no pages are left out of the table (the chart keeps every day).
        foreach (TurnaroundDay day in t.Days.Reverse().Where(d => d.PagesArrived > 0))
        {
            string key = day.Day.ToString("yyyy-MM-dd", C);
            bool late = day.P95Hours > t.TargetHours || day.OldestUnfiledHours > t.TargetHours;
            days.Append(C, $"""
                <tr data-testid="turnaround-day-{key}"{(late ? " class=\"late\"" : string.Empty)}><th>{day.Day.ToString("ddd d MMM", C)}</th><td class="n">{day.PagesArrived}</td><td class="n">{day.PagesFiled}</td><td class="n" data-testid="day-median">{Hours(day.MedianHours)}</td><td class="n" data-testid="day-p95">{Hours(day.P95Hours)}</td><td class="n">{Share(day.FiledWithinTarget)}</td><td class="n">{day.PagesUnfiled}</td><td class="n" data-testid="day-oldest">{Hours(day.OldestUnfiledHours)}</td></tr>
                """);
        }

        if (days.Length == 0)
        {
            days.Append(C, $"<tr><td colspan=\"8\" class=\"muted\">No pages arrived in the last {t.Days.Count} days.</td></tr>");
        }

        var risk = new StringBuilder();
        foreach (AtRiskPages item in t.AtRisk)
        {
            string state = item.Overdue ? $"<span class=\"badge risk\">overdue</span> {Html.E(item.Kind.Replace('_', ' '))}" : Html.E(item.Kind.Replace('_', ' '));
            risk.Append(C, $"""
                <tr data-testid="at-risk-{Html.E(item.Item)}"><td><code>{Html.E(item.Item)}</code></td><td>{state}</td><td data-testid="at-risk-batch">{Html.E(item.BatchName ?? "—")}</td><td>{item.ArrivedUtc.ToString("d MMM HH:mm", C)}</td><td class="n" data-testid="at-risk-age">{Hours(item.AgeHours)}</td><td class="n">{item.Pages}</td></tr>
                """);
        }

        string riskTable = t.AtRisk.Count == 0
            ? $"<p class=\"muted\" data-testid=\"at-risk-none\">Nothing unfiled is older than {Hours(t.AtRiskHours)}.</p>"
            : $"""
                <table class="numbers" data-testid="at-risk"><tr><th>Document or file</th><th>State</th><th>Batch</th><th>Arrived (UTC)</th><th class="n">Age</th><th class="n">Pages</th></tr>{risk}</table>
                {(t.ItemsAtRisk > t.AtRisk.Count ? $"<p class=\"muted small\">{t.ItemsAtRisk - t.AtRisk.Count} more at risk, not listed (oldest first above).</p>" : string.Empty)}
                """;
        return $"""
            <div class="card wide" data-testid="turnaround"><h2>Turnaround: arrival to filing <span class="muted small">target {Hours(t.TargetHours)}; at risk after {Hours(t.AtRiskHours)}</span></h2>
              <table class="numbers"><tr><th>Target</th><td class="n" data-testid="turnaround-target">{Hours(t.TargetHours)}</td>
                <th>Median</th><td class="n" data-testid="turnaround-median">{Hours(t.MedianHours)}</td>
                <th>95th percentile</th><td class="n" data-testid="turnaround-p95">{Hours(t.P95Hours)}</td>
                <th>Filed within target</th><td class="n" data-testid="turnaround-within">{Share(t.FiledWithinTarget)}</td></tr>
                <tr><th>Pages filed</th><td class="n" data-testid="turnaround-filed">{t.PagesFiled}</td>
                <th>Unfiled</th><td class="n" data-testid="turnaround-unfiled">{t.PagesUnfiled}</td>
                <th>Oldest unfiled</th><td class="n" data-testid="turnaround-oldest">{Hours(t.OldestUnfiledHours)}</td>
                <th>At risk (overdue)</th><td class="n"><span data-testid="turnaround-at-risk">{t.PagesAtRisk}</span> (<span data-testid="turnaround-overdue">{t.PagesOverdue}</span>) pages</td></tr></table>
              <p class="muted small">Pages counted by the day their file arrived (UTC): time to the document's first filing, automatic or by a clerk; median and 95th percentile by nearest rank over pages, for the last {t.Days.Count} days (days without pages left out).</p>
              <div class="grid2">
                <table class="numbers" data-testid="turnaround-days"><tr><th>Arrived</th><th class="n">Pages</th><th class="n">Filed</th><th class="n">Median</th><th class="n">95th pct</th><th class="n">Within target</th><th class="n">Unfiled</th><th class="n">Oldest unfiled</th></tr>{days}</table>
                <div class="chart"><img src="/api/dashboard/charts/turnaround.svg" alt="Turnaround per arrival day against the target" data-testid="chart-turnaround"></div>
              </div>
              <h3>At risk of missing the target</h3>
              {riskTable}
            </div>
            """;
    }

    /// <param name="unavailable">Why this host cannot make certificates; null when it can.</param>
    public static string Certificates(IReadOnlyList<BatchSummary> batches, IReadOnlyDictionary<long, BatchReleaseStatement> statements, string? unavailable, int shown)
    {
        if (unavailable is not null)
        {
            return $"<div class=\"card wide\" data-testid=\"certificates\"><h2>Batch certificates</h2><p class=\"muted\" data-testid=\"certificates-unavailable\">{Html.E(unavailable)}</p></div>";
        }

        var rows = new StringBuilder();
        foreach (BatchSummary batch in batches.Take(shown))
        {
            string statement = statements.TryGetValue(batch.Id, out BatchReleaseStatement? s)
                ? s.MeetsReleaseCriteria
                    ? "<span class=\"ok\">✓ meets the release criteria</span>"
                    : $"<span class=\"warn\">does not meet: {Html.E(string.Join("; ", s.Unmet))}</span>"
                : "<span class=\"muted\">—</span>";
            rows.Append(C, $"""
                <tr data-testid="certificate-{batch.Id}"><td>{Html.E(batch.Name)}</td><td>{Html.E(batch.State)}</td><td data-testid="release-{batch.Id}">{statement}</td>
                <td><a href="/api/dashboard/batches/{batch.Id}/certificate.pdf" data-testid="certificate-pdf-{batch.Id}">PDF</a> · <a href="/api/dashboard/batches/{batch.Id}/certificate.csv" data-testid="certificate-csv-{batch.Id}">CSV</a></td></tr>
                """);
        }

        if (batches.Count == 0)
        {
            rows.Append("<tr><td colspan=\"4\" class=\"muted\">No batches yet.</td></tr>");
        }

        string more = batches.Count > shown ? $"<p class=\"muted small\">The newest {shown} of {batches.Count} batches; older ones with <code>digitise export BATCH --certificate</code>.</p>" : string.Empty;
        return $"""
            <div class="card wide" data-testid="certificates"><h2>Batch certificates <span class="muted small">for signing off a batch before its paper is destroyed; each download is audited</span></h2>
              <table class="numbers"><tr><th>Batch</th><th>State</th><th>Release statement</th><th>Certificate</th></tr>{rows}</table>{more}</div>
            """;
    }
}
