using System.Globalization;
using System.Security.Claims;
using System.Text;
using Digitise.Storage;
using Digitise.Verify.Ui.Api;
using Digitise.Verify.Ui.Hosting;
using Microsoft.AspNetCore.Mvc;

namespace Digitise.Verify.Ui.Pages;

/// <summary>The three screens: the clerk's (script-driven), the manager's dashboard and the operator's batches (server-rendered).</summary>
internal static class AppPages
{
    public static IEndpointRouteBuilder MapPages(this IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder pages = endpoints.MapGroup(string.Empty).ExcludeFromDescription();
        pages.MapGet("/", Home).RequireAuthorization();
        pages.MapGet("/verify", Verify).RequireAuthorization(Policies.Clerk);
        pages.MapGet("/dashboard", DashboardAsync).RequireAuthorization(Policies.Manager);
        pages.MapGet("/operator", OperatorAsync).RequireAuthorization(Policies.Operator);
        pages.MapPost("/operator/batches/{batchId:long}/retry", RetryAsync).RequireAuthorization(Policies.Operator);
        return endpoints;
    }

    private static IResult Home(ClaimsPrincipal user) =>
        Results.Redirect(user.IsInRole(Roles.Clerk) ? "/verify" : user.IsInRole(Roles.Operator) ? "/operator" : "/dashboard");

    private static IResult Verify(HttpContext context) => Results.Content(Html.Page(context, "Verify", "/verify", """
        <main class="verify" id="app" data-state="loading">
          <section class="viewer" aria-label="Page image">
            <div class="toolbar">
              <span class="doc-id" data-testid="document-id"></span>
              <span class="badge kind" data-testid="kind"></span>
              <span class="badge risk" hidden data-testid="high-risk">High risk · second confirmation</span>
              <span class="badge qa-page" hidden data-testid="page-qa"></span>
              <span class="spacer"></span>
              <button type="button" data-act="zoom-out" title="Zoom out (-)">−</button>
              <span class="zoom" data-testid="zoom">100%</span>
              <button type="button" data-act="zoom-in" title="Zoom in (+)">+</button>
              <button type="button" data-act="zoom-fit" title="Fit width (0)">Fit</button>
            </div>
            <div class="stage" tabindex="-1"><div class="sheet"><img alt="Page image" draggable="false"><svg class="overlay" preserveAspectRatio="none"></svg></div></div>
            <nav class="strip" aria-label="Pages"></nav>
          </section>
          <section class="panel" aria-label="Decision">
            <div class="status" role="status" aria-live="polite" data-testid="status"></div>
            <div class="reason card"><h2>Why it is here</h2><p data-testid="reason"></p><p class="risks" data-testid="risk-flags"></p><p class="muted small meta"></p></div>
            <div class="card doctype"><h2>Document type <span class="muted small">one key sets it</span></h2><p data-testid="doc-type"></p><ul class="type-keys" data-testid="type-keys"></ul></div>
            <div class="card"><h2>Read from the document</h2><table class="idents" data-testid="identifiers"><tbody></tbody></table>
              <p class="muted small legend"><mark class="unsure">5</mark> uncertain or corrected character</p></div>
            <div class="card"><h2>Candidates <span class="muted small">1–9 select · Enter file to selected</span></h2><ol class="candidates" data-testid="candidates"></ol></div>
            <div class="card search"><h2>Search the index <span class="muted small">/</span></h2>
              <form class="search-form" autocomplete="off">
                <input name="nhsNumber" placeholder="NHS number" inputmode="numeric" aria-label="NHS number">
                <input name="hospitalNumber" placeholder="Hospital number" aria-label="Hospital number">
                <input name="familyName" placeholder="Family name" aria-label="Family name">
                <input name="dateOfBirth" placeholder="DOB dd/mm/yyyy" aria-label="Date of birth">
                <button type="submit">Search</button>
              </form>
              <ol class="results candidates" data-testid="search-results"></ol></div>
            <div class="actions">
              <button type="button" class="primary" data-act="file" data-testid="file">File to selected <kbd>Enter</kbd></button>
              <button type="button" data-act="not_on_index">Not on index <kbd>N</kbd></button>
              <button type="button" data-act="rescan">Rescan <kbd>R</kbd></button>
              <button type="button" data-act="skip">Skip <kbd>S</kbd></button>
            </div>
            <p class="muted small keys">Keys: <kbd>Enter</kbd> file · <kbd>1</kbd>–<kbd>9</kbd> choose · <kbd>N</kbd><kbd>N</kbd> not on index · <kbd>R</kbd><kbd>R</kbd> rescan · <kbd>S</kbd> skip · <kbd>/</kbd> search · <kbd>+</kbd>/<kbd>−</kbd>/<kbd>0</kbd> zoom · <kbd>PgUp</kbd>/<kbd>PgDn</kbd> page</p>
          </section>
          <section class="empty" hidden data-testid="empty"><div class="card"><h1>The queue is empty</h1><p>Nothing is waiting for you. This page checks again every 30 seconds.</p></div></section>
        </main>
        """, "verify.js", "clerk"), "text/html; charset=utf-8");

    private static async Task<IResult> DashboardAsync(
        HttpContext context, ClaimsPrincipal user, IVerificationStore store, ISecurityStore security, VerifyOptions options, TimeProvider time,
        IDocumentTypeStore types, Domain.DocumentTypeOptions typeOptions, DashboardOptions dashboardOptions, CancellationToken cancellationToken)
    {
        DashboardDto d = await DashboardApi.BuildAsync(store, options, cancellationToken);
        string turnaroundCard = DashboardCards.Turnaround(await DashboardApi.TurnaroundAsync(store, dashboardOptions, time, cancellationToken));
        string certificateCard = await CertificateCardAsync(context, store, options, cancellationToken);
        List<SearchVolumeDto> searches = await DashboardApi.SearchVolumesAsync(security, options, time, cancellationToken);
        string typeCard = DocumentTypeCard.Render(await types.CountByTypeAsync(cancellationToken), typeOptions);
        await store.AppendAuditAsync(user.UserName(), "view_dashboard", null, null, string.Empty, cancellationToken);
        CultureInfo c = CultureInfo.InvariantCulture;
        long Doc(string s) => d.Documents.GetValueOrDefault(s);
        long totalDocs = d.Documents.Values.Sum();
        long totalFiles = d.SourceFiles.Values.Sum();
        string rate = d.Qa.MisfileRate is { } r ? (r * 100).ToString("0.0", c) + "%" : "—";
        string clears = d.Forecast.ClearsOnUtc is { } when ? (d.QueueSize == 0 ? "clear" : when.ToString("ddd d MMM yyyy", c)) : "not moving";
        var clerks = new StringBuilder();
        foreach (ClerkDto k in d.Clerks)
        {
            clerks.Append(c, $"<tr><td>{Html.E(k.UserName)}</td><td class=\"n\">{k.Today}</td><td class=\"n\" data-testid=\"clerk-total-{Html.E(k.UserName)}\">{k.Total}</td><td class=\"n\">{k.Filed}</td><td class=\"n\">{k.NotOnIndex}</td><td class=\"n\">{k.Rescan}</td></tr>");
        }

        if (d.Clerks.Count == 0)
        {
            clerks.Append("<tr><td colspan=\"6\" class=\"muted\">No clerk decisions yet.</td></tr>");
        }

        var searchRows = new StringBuilder();
        foreach (SearchVolumeDto v in searches)
        {
            string flag = v.Unusual ? "<span class=\"badge warn\" data-testid=\"search-unusual\">unusual</span>" : string.Empty;
            searchRows.Append(c, $"<tr{(v.Unusual ? " class=\"unusual\"" : string.Empty)}><td>{Html.E(v.UserName)}</td><td class=\"n\" data-testid=\"searches-{Html.E(v.UserName)}\">{v.Searches}</td><td class=\"n\">{v.PatientsShown}</td><td>{flag}</td></tr>");
        }

        if (searches.Count == 0)
        {
            searchRows.Append("<tr><td colspan=\"4\" class=\"muted\">No index searches in the last 24 hours.</td></tr>");
        }

        string body = $"""
            <main class="dashboard">
              <div class="title-row"><h1>Records backlog</h1><span class="muted">as of {d.AtUtc.ToString("d MMM yyyy HH:mm", c)} UTC</span><span class="spacer"></span>
                <a class="button" href="/api/dashboard/export.csv" data-testid="export">Export CSV</a></div>
              <div class="kpis">
                <div class="kpi"><span class="label">Verification queue</span><span class="value" data-testid="queue-size">{d.QueueSize}</span><span class="sub">{d.AwaitingSecondConfirmation} awaiting 2nd confirmation</span></div>
                <div class="kpi"><span class="label">Oldest in queue</span><span class="value" data-testid="queue-oldest">{FormatHours(d.OldestQueuedHours)}</span><span class="sub">mean age {FormatHours(d.MeanQueueAgeHours)}</span></div>
                <div class="kpi"><span class="label">Clears at current rate</span><span class="value small-value" data-testid="forecast">{clears}</span><span class="sub">{d.Forecast.DecisionsPerDay.ToString("0.#", c)} decisions/day (7-day mean)</span></div>
                <div class="kpi"><span class="label">QA misfile rate</span><span class="value" data-testid="qa-rate">{rate}</span><span class="sub" data-testid="qa-interval">95% CI {(d.Qa.Lower95 * 100).ToString("0.0", c)}–{(d.Qa.Upper95 * 100).ToString("0.0", c)}% · {d.Qa.Misfiled}/{d.Qa.Reviewed} reviewed</span></div>
              </div>
              <div class="grid2">
                <div class="card"><h2>Backlog</h2>
                  <table class="numbers" data-testid="backlog">
                    <tr><th>Source files</th><td class="n" data-testid="files-total">{totalFiles}</td><td class="muted">{string.Join(" · ", d.SourceFiles.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Value} {Html.E(k.Key)}"))}</td></tr>
                    <tr><th>Pages</th><td class="n" data-testid="pages-total">{d.Pages}</td><td></td></tr>
                    <tr><th>Documents</th><td class="n" data-testid="documents-total">{totalDocs}</td><td></td></tr>
                    <tr><th class="indent">auto-filed</th><td class="n" data-testid="docs-auto_filed">{Doc("auto_filed")}</td><td></td></tr>
                    <tr><th class="indent">filed by clerks</th><td class="n" data-testid="docs-filed">{Doc("filed")}</td><td></td></tr>
                    <tr><th class="indent">needs verification</th><td class="n" data-testid="docs-needs_verification">{Doc("needs_verification")}</td><td></td></tr>
                    <tr><th class="indent">unmatched</th><td class="n" data-testid="docs-unmatched">{Doc("unmatched")}</td><td></td></tr>
                    <tr><th class="indent">not on index</th><td class="n" data-testid="docs-not_on_index">{Doc("not_on_index")}</td><td></td></tr>
                    <tr><th class="indent">rescan</th><td class="n" data-testid="docs-rescan">{Doc("rescan")}</td><td></td></tr>
                    <tr><th class="indent">quarantined</th><td class="n" data-testid="docs-quarantined">{Doc("quarantined")}</td><td></td></tr>
                  </table></div>
                <div class="card chart"><img src="/api/dashboard/charts/backlog.svg" alt="Documents by status" data-testid="chart-backlog"></div>
                <div class="card chart"><img src="/api/dashboard/charts/daily.svg" alt="Decisions per day" data-testid="chart-daily"></div>
                <div class="card chart"><img src="/api/dashboard/charts/hourly.svg" alt="Decisions per hour" data-testid="chart-hourly"></div>
                <div class="card"><h2>Decisions per clerk</h2>
                  <table class="numbers clerks" data-testid="clerks"><tr><th>Clerk</th><th class="n">Today</th><th class="n">Total</th><th class="n">Filed</th><th class="n">Not on index</th><th class="n">Rescan</th></tr>{clerks}</table></div>
                <div class="card"><h2>Index searches (last 24 hours)</h2>
                  <table class="numbers" data-testid="search-volumes"><tr><th>User</th><th class="n">Searches</th><th class="n">Patients shown</th><th></th></tr>{searchRows}</table>
                  <p class="muted small">Unusual: more than {options.SearchAlertPerDay} searches, or over three times the median of everyone who searched.</p></div>
                <div class="card"><h2>Quality sampling</h2>
                  <p>{(d.Qa.Share * 100).ToString("0.#", c)}% of auto-filed documents are sampled for a second look by a clerk.</p>
                  <table class="numbers"><tr><th>Sampled</th><td class="n" data-testid="qa-sampled">{d.Qa.Sampled}</td></tr>
                  <tr><th>Reviewed</th><td class="n" data-testid="qa-reviewed">{d.Qa.Reviewed}</td></tr>
                  <tr><th>Found misfiled</th><td class="n" data-testid="qa-misfiled">{d.Qa.Misfiled}</td></tr>
                  <tr><th>Misfile rate (Wilson 95%)</th><td class="n">{rate}</td><td class="muted">{(d.Qa.Lower95 * 100).ToString("0.0", c)}% – {(d.Qa.Upper95 * 100).ToString("0.0", c)}%</td></tr></table></div>
                {typeCard}
                {turnaroundCard}
                {certificateCard}
              </div>
            </main>
            """;
        return Results.Content(Html.Page(context, "Dashboard", "/dashboard", body), "text/html; charset=utf-8");
    }

    /// <summary>The newest batches with their release statements and certificate links (when the host makes certificates).</summary>
    private static async Task<string> CertificateCardAsync(HttpContext context, IVerificationStore store, VerifyOptions options, CancellationToken cancellationToken)
    {
        const int Shown = 10;
        IBatchCertificates? certificates = context.RequestServices.GetService<IBatchCertificates>();
        string? unavailable = certificates is null ? "This host does not make batch certificates: run digitise serve, or digitise export BATCH --certificate." : certificates.Unavailable;
        if (unavailable is not null)
        {
            return DashboardCards.Certificates([], new Dictionary<long, BatchReleaseStatement>(), unavailable, Shown);
        }

        IReadOnlyList<BatchSummary> batches = await store.GetBatchesAsync(cancellationToken);
        IReadOnlyDictionary<long, BatchReleaseStatement> statements =
            await certificates!.GetStatementsAsync([.. batches.Take(Shown).Select(b => b.Id)], options.QaShare, cancellationToken);
        return DashboardCards.Certificates(batches, statements, null, Shown);
    }

    private static async Task<IResult> OperatorAsync(HttpContext context, ClaimsPrincipal user, IVerificationStore store, CancellationToken cancellationToken)
    {
        IReadOnlyList<BatchSummary> batches = await store.GetBatchesAsync(cancellationToken);
        await store.AppendAuditAsync(user.UserName(), "view_operator", null, null, "batches and quarantined files", cancellationToken);
        var antiforgery = context.RequestServices.GetRequiredService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>();
        var tokens = antiforgery.GetAndStoreTokens(context);
        CultureInfo c = CultureInfo.InvariantCulture;
        var rows = new StringBuilder();
        foreach (BatchSummary summary in batches)
        {
            BatchDto b = OperatorApi.ToDto(summary);
            IReadOnlyList<QuarantinedFile> quarantined = await store.GetQuarantinedAsync(b.Id, cancellationToken);
            var q = new StringBuilder();
            foreach (QuarantinedFile f in quarantined)
            {
                string retried = f.RetryRequestedUtc is { } at ? $"<span class=\"badge\">retry requested {at.ToString("d MMM HH:mm", c)}</span>" : string.Empty;
                q.Append(c, $"<tr><td class=\"path\">{Html.E(f.Path)}</td><td><code>{Html.E(f.Reason)}</code></td><td>{Html.E(f.Status)} {retried}</td></tr>");
            }

            string quarantineTable = quarantined.Count == 0 ? "<p class=\"muted\">No quarantined files.</p>" : $"""
                <table class="quarantine" data-testid="quarantined-{b.Id}"><tr><th>File</th><th>Reason</th><th>State</th></tr>{q}</table>
                <form method="post" action="/operator/batches/{b.Id}/retry"><input type="hidden" name="{Html.E(tokens.FormFieldName)}" value="{Html.E(tokens.RequestToken)}">
                <button type="submit" data-testid="retry-{b.Id}">Retry quarantined files</button></form>
                """;
            string docs = string.Join(" · ", b.Documents.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Value} {Html.E(k.Key.Replace('_', ' '))}"));
            string reconciled = b.Reconciled
                ? "<span class=\"ok\">✓ reconciled: every file that went in is accounted for</span>"
                : $"<span class=\"warn\">{b.FilesPending} file(s) not yet accounted for</span>";
            rows.Append(c, $"""
                <section class="card batch" data-testid="batch-{b.Id}">
                  <div class="title-row"><h2>{Html.E(b.Name)}</h2><span class="badge">{Html.E(b.State)}</span><span class="spacer"></span><span class="muted">updated {b.UpdatedUtc.ToString("d MMM yyyy HH:mm", c)} UTC</span></div>
                  <progress class="progress" value="{b.Progress * 100:0.#}" max="100" data-testid="progress-{b.Id}">{b.Progress * 100:0}%</progress>
                  <table class="numbers"><tr><th>Files in</th><td class="n">{b.Files}</td><th>complete</th><td class="n">{b.FilesComplete}</td><th>quarantined</th><td class="n">{b.FilesQuarantined}</td><th>pending</th><td class="n">{b.FilesPending}</td></tr>
                  <tr><th>Pages in</th><td class="n">{b.PagesExpected}</td><th>read</th><td class="n">{b.PagesStored}</td><th>in documents</th><td class="n">{b.PagesInDocuments}</td><td colspan="2"></td></tr></table>
                  <p>{reconciled}</p><p class="muted">Documents: {docs}</p>
                  {quarantineTable}
                </section>
                """);
        }

        if (batches.Count == 0)
        {
            rows.Append("<div class=\"card\"><p class=\"muted\">No batches yet: run <code>digitise run</code>.</p></div>");
        }

        return Results.Content(Html.Page(context, "Batches", "/operator", $"<main class=\"operator\"><h1>Batches</h1>{rows}</main>", bodyClass: "operator-page"),
            "text/html; charset=utf-8");
    }

    private static async Task<IResult> RetryAsync(long batchId, [FromForm] string? sha256, ClaimsPrincipal user, IVerificationStore store, CancellationToken cancellationToken)
    {
        await store.RequestRetryAsync(batchId, string.IsNullOrWhiteSpace(sha256) ? null : sha256, user.UserName(), cancellationToken);
        return Results.Redirect("/operator");
    }

    private static string FormatHours(double hours) => hours switch
    {
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{hours * 60:0} min"),
        < 48 => string.Create(CultureInfo.InvariantCulture, $"{hours:0.#} h"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{hours / 24:0.#} days"),
    };
}
