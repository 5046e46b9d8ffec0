using System.Globalization;
using System.Security.Claims;
using System.Text;
using Digitise.Domain;
using Digitise.Storage;
using Digitise.Verify.Ui.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Digitise.Verify.Ui.Api;

/// <summary>The manager dashboard's numbers, charts (SVG) and CSV export.</summary>
internal static class DashboardApi
{
    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder dashboard = endpoints.MapApiGroup("/api/dashboard", Policies.Manager, "Dashboard");
        dashboard.MapGet("/", GetAsync).WithName("Dashboard").WithSummary("Backlog, queue, throughput, per-clerk decisions, forecast and QA.");
        dashboard.MapGet("/export.csv", ExportAsync).WithName("DashboardCsv").WithSummary("The dashboard as CSV.");
        dashboard.MapGet("/charts/{chart}.svg", ChartAsync).WithName("DashboardChart").WithSummary("A chart: daily, hourly, backlog, clerks or turnaround.");
        dashboard.MapGet("/turnaround", TurnaroundGetAsync).WithName("Turnaround")
            .WithSummary("Per arrival day, hours from a page's arrival to its document being filed (median, 95th percentile), the oldest unfiled, against Dashboard:TurnaroundTargetHours, and what is at risk of missing it.");
        dashboard.MapGet("/batches/{batchId:long}/certificate.pdf", (long batchId, HttpContext http, ClaimsPrincipal user, IVerificationStore store, VerifyOptions options, CancellationToken ct) =>
                CertificateAsync(batchId, BatchCertificateFormat.Pdf, http, user, store, options, ct))
            .WithName("BatchCertificatePdf").WithSummary("The batch certificate (PDF) with its release statement; each download is audited.");
        dashboard.MapGet("/batches/{batchId:long}/certificate.csv", (long batchId, HttpContext http, ClaimsPrincipal user, IVerificationStore store, VerifyOptions options, CancellationToken ct) =>
                CertificateAsync(batchId, BatchCertificateFormat.Csv, http, user, store, options, ct))
            .WithName("BatchCertificateCsv").WithSummary("The batch certificate as CSV (section,item,value,detail); each download is audited.");
        dashboard.MapGet("/searches", SearchesAsync).WithName("SearchVolumes")
            .WithSummary("Index searches per user in the last 24 hours, with those above Verify:SearchAlertPerDay or far above the others flagged.");
        endpoints.MapApiGroup("/api/audit", Policies.Manager, "Audit")
            .MapGet("/", AuditAsync).WithName("Audit").WithSummary("The newest audit entries (reading them is itself audited).");
        return endpoints;
    }

    /// <summary>Searches per user over the last 24 hours; unusual when above the configured ceiling, or when at least 20 and
    /// more than three times the median of everyone who searched.</summary>
    public static async Task<List<SearchVolumeDto>> SearchVolumesAsync(ISecurityStore security, VerifyOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        IReadOnlyList<SearchVolume> volumes = await security.GetSearchVolumesAsync(time.GetUtcNow().AddHours(-24), cancellationToken);
        double median = Median(volumes.Select(v => (double)v.Searches).ToList());
        return volumes.Select(v => new SearchVolumeDto(v.UserName, v.Searches, v.PatientsShown,
            v.Searches > options.SearchAlertPerDay || (v.Searches >= 20 && volumes.Count > 1 && v.Searches > 3 * median))).ToList();
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        values.Sort();
        int middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static async Task<Ok<List<SearchVolumeDto>>> SearchesAsync(
        ClaimsPrincipal user, IVerificationStore store, ISecurityStore security, VerifyOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        await store.AppendAuditAsync(user.UserName(), "view_search_volumes", null, null, string.Empty, cancellationToken);
        return TypedResults.Ok(await SearchVolumesAsync(security, options, time, cancellationToken));
    }

    public static async Task<DashboardDto> BuildAsync(IVerificationStore store, VerifyOptions options, CancellationToken cancellationToken)
    {
        DashboardSnapshot s = await store.GetDashboardAsync(options.QaShare, cancellationToken);
        DateTime day0 = s.AtUtc.UtcDateTime.Date.AddDays(-13);
        var perDay = Enumerable.Range(0, 14).Select(i => day0.AddDays(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Select(d => new SeriesPointDto(d, s.DecisionsPerDay.FirstOrDefault(p => p.Key == d).Value)).ToList();
        DateTime hour0 = new DateTime(s.AtUtc.UtcDateTime.Ticks - (s.AtUtc.UtcDateTime.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc).AddHours(-23);
        var perHour = Enumerable.Range(0, 24).Select(i => hour0.AddHours(i).ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture))
            .Select(h => new SeriesPointDto(h, s.DecisionsPerHour.FirstOrDefault(p => p.Key == h).Value)).ToList();

        double perDayRate = s.DecisionsLast7Days / 7.0;
        DateTimeOffset? clears = Statistics.Clearance(s.AtUtc, s.QueueSize, perDayRate);
        double? days = clears is null ? null : Math.Round((clears.Value - s.AtUtc).TotalDays, 1);
        (double lower, double upper) = Statistics.Wilson(s.QaMisfiled, s.QaReviewed);
        return new DashboardDto(
            s.AtUtc,
            s.SourceFilesByStatus,
            s.Pages,
            s.DocumentsByStatus,
            s.QueueSize,
            s.AwaitingSecondConfirmation,
            s.OldestQueuedUtc,
            s.OldestQueuedUtc is null ? 0 : Math.Round((s.AtUtc - s.OldestQueuedUtc.Value).TotalHours, 1),
            Math.Round(s.MeanQueueAgeHours, 1),
            perDay,
            perHour,
            s.Clerks.Select(c => new ClerkDto(c.UserName, c.Total, c.Today, c.Filed, c.NotOnIndex, c.Rescan)).ToList(),
            new ForecastDto(Math.Round(perDayRate, 1), days, clears),
            new QaDto(s.QaShare, s.QaSampled, s.QaReviewed, s.QaMisfiled, s.QaReviewed == 0 ? null : (double)s.QaMisfiled / s.QaReviewed, lower, upper));
    }

    /// <summary>The turnaround over the last <see cref="DashboardOptions.TurnaroundDays"/> arrival days (UTC), against the target.</summary>
    public static async Task<TurnaroundReport> TurnaroundAsync(IVerificationStore store, DashboardOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        DateTime firstDay = time.GetUtcNow().UtcDateTime.Date.AddDays(1 - options.TurnaroundDays);
        TurnaroundFacts facts = await store.GetTurnaroundAsync(new DateTimeOffset(firstDay, TimeSpan.Zero), cancellationToken);
        return Turnaround.Summarise(facts, options.TurnaroundTargetHours, options.TurnaroundAtRiskShare, options.TurnaroundDays);
    }

    private static async Task<Ok<TurnaroundReport>> TurnaroundGetAsync(
        ClaimsPrincipal user, IVerificationStore store, DashboardOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        await store.AppendAuditAsync(user.UserName(), "view_turnaround", null, null, "api", cancellationToken);
        return TypedResults.Ok(await TurnaroundAsync(store, options, time, cancellationToken));
    }

    /// <summary>
    /// A batch's certificate, made now by the host's <see cref="IBatchCertificates"/> (501 when the host offers none or the
    /// database is one it cannot read), audited as <c>download_certificate</c> with the batch, the form and the statement.
    /// </summary>
    private static async Task<IResult> CertificateAsync(
        long batchId, BatchCertificateFormat format, HttpContext http, ClaimsPrincipal user, IVerificationStore store, VerifyOptions options, CancellationToken cancellationToken)
    {
        IBatchCertificates? certificates = http.RequestServices.GetService<IBatchCertificates>();
        if (certificates is null || certificates.Unavailable is not null)
        {
            return EndpointGroups.Problem(StatusCodes.Status501NotImplemented, "Batch certificates are not available here.",
                certificates?.Unavailable ?? "this host does not make batch certificates; use digitise serve, or digitise export BATCH --certificate");
        }

        BatchCertificateFile? file = await certificates.CreateAsync(batchId, format, options.QaShare, cancellationToken);
        if (file is null)
        {
            return EndpointGroups.Problem(StatusCodes.Status404NotFound, "No such batch.");
        }

        string statement = file.Statement.MeetsReleaseCriteria ? "meets the release criteria" : "does not meet: " + string.Join("; ", file.Statement.Unmet);
        await store.AppendAuditAsync(user.UserName(), "download_certificate", null, null,
            string.Create(CultureInfo.InvariantCulture, $"batch {batchId} {(format == BatchCertificateFormat.Pdf ? "pdf" : "csv")}: {statement}"), cancellationToken);
        return TypedResults.File(file.Content, file.ContentType, file.FileName);
    }

    private static async Task<Ok<DashboardDto>> GetAsync(ClaimsPrincipal user, IVerificationStore store, VerifyOptions options, CancellationToken cancellationToken)
    {
        await store.AppendAuditAsync(user.UserName(), "view_dashboard", null, null, "api", cancellationToken);
        return TypedResults.Ok(await BuildAsync(store, options, cancellationToken));
    }

    private static async Task<IResult> ExportAsync(
        ClaimsPrincipal user, IVerificationStore store, VerifyOptions options, DashboardOptions dashboardOptions, TimeProvider time, CancellationToken cancellationToken)
    {
        DashboardDto d = await BuildAsync(store, options, cancellationToken);
        TurnaroundReport t = await TurnaroundAsync(store, dashboardOptions, time, cancellationToken);
        await store.AppendAuditAsync(user.UserName(), "export_dashboard_csv", null, null, string.Empty, cancellationToken);
        var csv = new StringBuilder();
        csv.AppendLine("section,key,value");
        // Keys (a clerk's user name) and text values are neutralised against spreadsheet formulas; numbers stay numbers.
        void Row(string section, string key, object? value) =>
            csv.Append(section).Append(',').Append(Text.Csv.TextField(key)).Append(',')
                .Append(value is string text ? Text.Csv.TextField(text) : Text.Csv.Field(Convert.ToString(value, CultureInfo.InvariantCulture))).Append('\n');
        Row("snapshot", "at_utc", d.AtUtc.ToString("O", CultureInfo.InvariantCulture));
        foreach ((string key, long value) in d.SourceFiles.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            Row("source_files", key, value);
        }

        Row("pages", "total", d.Pages);
        foreach ((string key, long value) in d.Documents.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            Row("documents", key, value);
        }

        Row("queue", "size", d.QueueSize);
        Row("queue", "awaiting_second_confirmation", d.AwaitingSecondConfirmation);
        Row("queue", "oldest_hours", d.OldestQueuedHours);
        Row("queue", "mean_age_hours", d.MeanQueueAgeHours);
        foreach (SeriesPointDto p in d.PerDay)
        {
            Row("decisions_per_day", p.Label, p.Value);
        }

        foreach (SeriesPointDto p in d.PerHour)
        {
            Row("decisions_per_hour", p.Label, p.Value);
        }

        foreach (ClerkDto c in d.Clerks)
        {
            Row("clerk_decisions", c.UserName, c.Total);
        }

        Row("forecast", "decisions_per_day", d.Forecast.DecisionsPerDay);
        Row("forecast", "days_to_clear", d.Forecast.DaysToClear);
        Row("forecast", "clears_on_utc", d.Forecast.ClearsOnUtc?.ToString("O", CultureInfo.InvariantCulture));
        Row("qa", "share", d.Qa.Share);
        Row("qa", "sampled", d.Qa.Sampled);
        Row("qa", "reviewed", d.Qa.Reviewed);
        Row("qa", "misfiled", d.Qa.Misfiled);
        Row("qa", "misfile_rate", d.Qa.MisfileRate);
        Row("qa", "wilson95_lower", d.Qa.Lower95);
        Row("qa", "wilson95_upper", d.Qa.Upper95);
        Row("turnaround", "target_hours", t.TargetHours);
        Row("turnaround", "at_risk_after_hours", t.AtRiskHours);
        Row("turnaround", "pages_filed", t.PagesFiled);
        Row("turnaround", "median_hours", Hours(t.MedianHours));
        Row("turnaround", "p95_hours", Hours(t.P95Hours));
        Row("turnaround", "filed_within_target", t.FiledWithinTarget is { } share ? (double?)Math.Round(share, 4) : null);
        Row("turnaround", "pages_unfiled", t.PagesUnfiled);
        Row("turnaround", "oldest_unfiled_hours", Hours(t.OldestUnfiledHours));
        Row("turnaround", "pages_at_risk", t.PagesAtRisk);
        Row("turnaround", "pages_overdue", t.PagesOverdue);
        foreach (TurnaroundDay day in t.Days)
        {
            string key = day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            Row("turnaround_pages_arrived", key, day.PagesArrived);
            Row("turnaround_pages_filed", key, day.PagesFiled);
            Row("turnaround_median_hours", key, Hours(day.MedianHours));
            Row("turnaround_p95_hours", key, Hours(day.P95Hours));
            Row("turnaround_pages_unfiled", key, day.PagesUnfiled);
            Row("turnaround_oldest_unfiled_hours", key, Hours(day.OldestUnfiledHours));
        }

        // Batch names are text a user chose: neutralised like every other text cell.
        foreach (AtRiskPages item in t.AtRisk)
        {
            Row("at_risk_age_hours", item.Item, Hours(item.AgeHours));
            Row("at_risk_pages", item.Item, item.Pages);
            Row("at_risk_state", item.Item, item.Overdue ? "overdue " + item.Kind : item.Kind);
            Row("at_risk_batch", item.Item, item.BatchName ?? string.Empty);
        }

        return TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8",
            string.Create(CultureInfo.InvariantCulture, $"digitise-dashboard-{d.AtUtc:yyyyMMdd-HHmm}.csv"));
    }

    private static async Task<Results<ContentHttpResult, NotFound>> ChartAsync(
        string chart, IVerificationStore store, VerifyOptions options, DashboardOptions dashboardOptions, TimeProvider time, CancellationToken cancellationToken)
    {
        if (chart == "turnaround")
        {
            TurnaroundReport t = await TurnaroundAsync(store, dashboardOptions, time, cancellationToken);
            return TypedResults.Content(SvgCharts.Bars(
                "Hours from arrival to filing, 95th percentile, per arrival day (line: target)",
                t.Days.Select(day => (day.Day.ToString("MM-dd", CultureInfo.InvariantCulture), (long)Math.Ceiling(day.P95Hours ?? 0))).ToList(),
                "#c07a1f",
                (t.TargetHours, string.Create(CultureInfo.InvariantCulture, $"target {t.TargetHours:0.#} h"))), "image/svg+xml");
        }

        DashboardDto d = await BuildAsync(store, options, cancellationToken);
        string? svg = chart switch
        {
            "daily" => SvgCharts.Bars("Decisions per day (last 14 days)", d.PerDay.Select(p => (p.Label[5..], p.Value)).ToList(), "#2563a8"),
            "hourly" => SvgCharts.Bars("Decisions per hour (last 24 hours, UTC)", d.PerHour.Select(p => (p.Label[11..], p.Value)).ToList(), "#4a8c5c"),
            "backlog" => SvgCharts.HorizontalBars("Documents by status", d.Documents.OrderByDescending(k => k.Value).Select(k => (k.Key.Replace('_', ' '), k.Value)).ToList()),
            "clerks" => SvgCharts.HorizontalBars("Decisions per clerk", d.Clerks.Select(c => (c.UserName, c.Total)).ToList()),
            _ => null,
        };
        return svg is null ? TypedResults.NotFound() : TypedResults.Content(svg, "image/svg+xml");
    }

    /// <summary>Hours to one decimal, as the dashboard shows them (null stays empty).</summary>
    public static double? Hours(double? hours) => hours is { } h ? Math.Round(h, 1) : null;

    private static async Task<Ok<IReadOnlyList<AuditEntry>>> AuditAsync(ClaimsPrincipal user, IVerificationStore store, CancellationToken cancellationToken)
    {
        // The audit names patients and documents: reading it is a view like any other.
        await store.AppendAuditAsync(user.UserName(), "view_audit", null, null, "newest 200", cancellationToken);
        return TypedResults.Ok(await store.ReadAuditAsync(200, cancellationToken));
    }
}
