using Digitise.Storage;

namespace Digitise.Domain;

/// <summary>One arrival day (UTC) of the turnaround: its pages, how fast those filed were filed, and what is still waiting.</summary>
/// <param name="PagesArrived">The day's pages in the filing flow: filed plus unfiled (pages closed without filing are left out).</param>
/// <param name="MedianHours">Median hours from arrival to filing over the day's filed pages (nearest rank); null when none is filed.</param>
/// <param name="P95Hours">95th percentile of the same (nearest rank).</param>
/// <param name="FiledWithinTarget">Share of the day's filed pages filed within the target.</param>
/// <param name="OldestUnfiledHours">Age now of the day's oldest page not filed yet; null when all are filed.</param>
public sealed record TurnaroundDay(
    DateOnly Day, long PagesArrived, long PagesFiled, double? MedianHours, double? P95Hours, double? FiledWithinTarget, long PagesUnfiled, double? OldestUnfiledHours);

/// <summary>Pages not filed yet whose age has passed the at-risk share of the target (<see cref="Overdue"/>: past the target itself).</summary>
public sealed record AtRiskPages(string Item, string Kind, long? BatchId, string? BatchName, DateTimeOffset ArrivedUtc, double AgeHours, int Pages, bool Overdue);

/// <summary>The dashboard's turnaround: per arrival day, over the whole window, and what is at risk of missing the target.</summary>
/// <param name="AtRiskHours">Age from which an unfiled page is at risk: the target times the at-risk share.</param>
/// <param name="OldestUnfiledHours">Age of the oldest page not filed yet, whenever it arrived.</param>
/// <param name="AtRisk">The at-risk items, oldest first (at most the number asked for); <see cref="PagesAtRisk"/> counts them all.</param>
public sealed record TurnaroundReport(
    DateTimeOffset AtUtc,
    double TargetHours,
    double AtRiskHours,
    IReadOnlyList<TurnaroundDay> Days,
    long PagesFiled,
    double? MedianHours,
    double? P95Hours,
    double? FiledWithinTarget,
    long PagesUnfiled,
    double? OldestUnfiledHours,
    long PagesAtRisk,
    long PagesOverdue,
    int ItemsAtRisk,
    IReadOnlyList<AtRiskPages> AtRisk);

/// <summary>
/// Turnaround from a page's arrival to its document being filed, counted in pages (each page of a document has its
/// document's turnaround), against a target such as a day-forward service's 24 hours.
/// </summary>
public static class Turnaround
{
    /// <summary>The turnaround of <paramref name="facts"/> over the last <paramref name="days"/> arrival days (UTC, today included).</summary>
    /// <param name="atRiskShare">An unfiled page is at risk once its age passes this share of the target (0-1].</param>
    /// <param name="listAtMost">At most this many at-risk items are listed (all are counted).</param>
    public static TurnaroundReport Summarise(TurnaroundFacts facts, double targetHours, double atRiskShare, int days, int listAtMost = 50)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(days);
        DateTimeOffset now = facts.AtUtc;
        DateOnly today = DateOnly.FromDateTime(now.UtcDateTime);
        DateOnly first = today.AddDays(1 - days);
        static DateOnly Day(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);
        double Age(DateTimeOffset arrived) => Math.Max(0, (now - arrived).TotalHours);

        var filed = facts.Filed.Where(f => Day(f.ArrivedUtc) >= first)
            .Select(f => (Day: Day(f.ArrivedUtc), Hours: Math.Max(0, (f.FiledUtc - f.ArrivedUtc).TotalHours), f.Pages))
            .ToList();
        var rows = new List<TurnaroundDay>(days);
        for (DateOnly day = first; day <= today; day = day.AddDays(1))
        {
            var dayFiled = filed.Where(f => f.Day == day).Select(f => (f.Hours, f.Pages)).ToList();
            var dayUnfiled = facts.Unfiled.Where(u => Day(u.ArrivedUtc) == day).ToList();
            long pagesFiled = dayFiled.Sum(f => (long)f.Pages);
            long pagesUnfiled = dayUnfiled.Sum(u => (long)u.Pages);
            rows.Add(new TurnaroundDay(day, pagesFiled + pagesUnfiled, pagesFiled, Percentile(dayFiled, 0.5), Percentile(dayFiled, 0.95),
                WithinShare(dayFiled, targetHours), pagesUnfiled, dayUnfiled.Count == 0 ? null : dayUnfiled.Max(u => Age(u.ArrivedUtc))));
        }

        var all = filed.Select(f => (f.Hours, f.Pages)).ToList();
        double atRiskHours = targetHours * atRiskShare;
        var atRisk = facts.Unfiled.Select(u => new AtRiskPages(u.Item, u.Kind, u.BatchId, u.BatchName, u.ArrivedUtc, Age(u.ArrivedUtc), u.Pages, Age(u.ArrivedUtc) >= targetHours))
            .Where(a => a.AgeHours >= atRiskHours)
            .OrderByDescending(a => a.AgeHours).ThenBy(a => a.Item, StringComparer.Ordinal)
            .ToList();
        return new TurnaroundReport(
            now,
            targetHours,
            atRiskHours,
            rows,
            all.Sum(f => (long)f.Pages),
            Percentile(all, 0.5),
            Percentile(all, 0.95),
            WithinShare(all, targetHours),
            facts.Unfiled.Sum(u => (long)u.Pages),
            facts.Unfiled.Count == 0 ? null : facts.Unfiled.Max(u => Age(u.ArrivedUtc)),
            atRisk.Sum(a => (long)a.Pages),
            atRisk.Where(a => a.Overdue).Sum(a => (long)a.Pages),
            atRisk.Count,
            atRisk.Take(Math.Max(0, listAtMost)).ToList());
    }

    /// <summary>
    /// The nearest-rank percentile <paramref name="p"/> (0-1] of hours weighted by pages: the smallest value with at least that
    /// share of pages at or below it. Null when there are no pages.
    /// </summary>
    public static double? Percentile(IReadOnlyCollection<(double Hours, int Pages)> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        long total = values.Sum(v => (long)Math.Max(0, v.Pages));
        if (total == 0)
        {
            return null;
        }

        // Less a hair: 0.95 x 20 is 19.000000000000004 in binary floating point, and its rank is 19, not 20.
        long rank = Math.Max(1, (long)Math.Ceiling((p * total) - 1e-9));
        long seen = 0;
        foreach ((double hours, int pages) in values.OrderBy(v => v.Hours))
        {
            seen += Math.Max(0, pages);
            if (seen >= rank)
            {
                return hours;
            }
        }

        return values.Max(v => v.Hours);
    }

    private static double? WithinShare(IReadOnlyCollection<(double Hours, int Pages)> values, double targetHours)
    {
        long total = values.Sum(v => (long)v.Pages);
        return total == 0 ? null : (double)values.Where(v => v.Hours <= targetHours).Sum(v => (long)v.Pages) / total;
    }
}
