using System.Globalization;
using Digitise.Data.Sqlite;
using Digitise.Hosting;
using Digitise.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Playwright;

namespace Digitise.Verify.Ui.Tests;

/// <summary>
/// The manager dashboard's batch certificates and turnaround (issue 14) in Debian's Chromium, over an app wired as
/// <c>digitise serve</c> wires it (<c>DigitiseHost.AddExports</c>), on a corpus whose arrival and filing times are
/// set relative to now: filed pages took 2, 3, 4, 5, 6 and 40 hours; waiting documents are 50, 20, 2, 1 and 0.5 hours old,
/// and a 3-page file of a second batch (named like a spreadsheet formula) has waited 19.5 hours without being read.
/// </summary>
public sealed class ManagerDashboardFixture : AppBrowserFixture
{
    public const string FormulaBatch = "=1+2";

    /// <summary>The waiting documents by age in hours (50, 20, 2, 1, 0.5), and the unread file's SHA-256.</summary>
    public IReadOnlyList<string> Waiting { get; private set; } = [];

    public string PendingSha256 { get; } = new('d', 64);

    public Task<IPage> SignInAsync(string user) => SignInAsync(user, 1360, 2400);

    private protected override async Task<TestCorpus> CreateCorpusAsync()
    {
        TestCorpus corpus = await TestCorpus.CreateAsync(flagged: 3, autoFiled: 6);
        await corpus.AddUserAsync("carol", Roles.Manager);
        await corpus.AddUserAsync("bob", Roles.Clerk);
        static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        void SetArrival(string documentId, DateTimeOffset at) => corpus.Execute(
            $"UPDATE source_files SET created_utc = '{Instant(at)}' WHERE sha256 = (SELECT sha256 FROM documents WHERE document_id = '{documentId}');");
        List<string> Ids(string where) => corpus.Strings($"SELECT document_id FROM documents WHERE {where} ORDER BY document_id;");

        // Auto-filed documents arrived 2-40 hours before the pipeline filed them.
        double[] filedHours = [2, 3, 4, 5, 6, 40];
        List<string> auto = Ids("status = 'auto_filed'");
        for (int i = 0; i < auto.Count; i++)
        {
            DateTimeOffset filed = DateTimeOffset.Parse(
                corpus.Text($"SELECT min(at_utc) FROM decisions WHERE document_id = '{auto[i]}' AND status = 'auto_filed';")!, CultureInfo.InvariantCulture);
            SetArrival(auto[i], filed.AddHours(-filedHours[i]));
        }

        DateTimeOffset now = DateTimeOffset.UtcNow;
        double[] waitingHours = [50, 20, 2, 1, 0.5];
        Waiting = Ids("status IN ('needs_verification', 'unmatched')");
        for (int i = 0; i < Waiting.Count; i++)
        {
            SetArrival(Waiting[i], now.AddHours(-waitingHours[i]));
        }

        corpus.Execute($"""
            INSERT INTO batches (name, created_utc, updated_utc, state) VALUES ('{FormulaBatch}', '{Instant(now)}', '{Instant(now)}', 'running');
            INSERT INTO source_files (sha256, length, page_count, status, created_utc, updated_utc) VALUES ('{PendingSha256}', 10, 3, 'pending', '{Instant(now.AddHours(-19.5))}', '{Instant(now)}');
            INSERT INTO batch_sources (batch_id, path, sha256, recorded_utc) VALUES ((SELECT id FROM batches WHERE name = '{FormulaBatch}'), '/scans/late/box-7.tif', '{PendingSha256}', '{Instant(now)}');
            """);
        return corpus;
    }
}

/// <summary>The turnaround settings are checked when the app starts, naming the one that is wrong.</summary>
public sealed class DashboardOptionsTests
{
    [Theory]
    [InlineData("TurnaroundTargetHours", "0")]
    [InlineData("TurnaroundTargetHours", "a day")]
    [InlineData("TurnaroundAtRiskShare", "1.5")]
    [InlineData("TurnaroundDays", "0")]
    public async Task CreateApp_BadTurnaroundSetting_FailsNamingIt(string key, string value)
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Dashboard:" + key] = value })
            .Build();
        ConfigurationException error = await Assert.ThrowsAsync<ConfigurationException>(() => VerifyApp.CreateAsync(
            ["--urls", "http://127.0.0.1:0"], o => o.DatabasePath = Path.Combine(Path.GetTempPath(), "never-created", "d.db"),
            services => services.AddDigitiseSqlite(), configuration, CancellationToken.None));
        Assert.Contains("Dashboard:" + key, error.Message, StringComparison.Ordinal);
    }
}

[CollectionDefinition("manager-dashboard")]
public sealed class ManagerDashboardCollection : ICollectionFixture<ManagerDashboardFixture>;

[Collection("manager-dashboard")]
public sealed class ManagerDashboardBrowserTests(ManagerDashboardFixture fixture)
{
    [Fact]
    public async Task Manager_DownloadsBatchCertificates_PdfAndCsvNamingEverySourceFile_EachAudited()
    {
        IPage page = await fixture.SignInAsync("carol");
        await page.GotoAsync(fixture.BaseUrl + "/dashboard");
        TestCorpus db = fixture.Corpus;
        long batch = db.Scalar("SELECT id FROM batches WHERE name = 'test-batch';");

        // The release statement is on the dashboard: documents still wait for a clerk, so the batch does not meet it.
        string statement = await page.InnerTextAsync($"[data-testid=release-{batch}]");
        Assert.Contains("does not meet", statement, StringComparison.Ordinal);
        Assert.Contains("verification queue empty", statement, StringComparison.Ordinal);

        IDownload pdf = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync($"[data-testid=certificate-pdf-{batch}]"));
        byte[] pdfBytes = await File.ReadAllBytesAsync((await pdf.PathAsync())!);
        Assert.Equal("%PDF"u8.ToArray(), pdfBytes[..4]);
        Assert.Equal($"certificate-batch-{batch}.pdf", pdf.SuggestedFilename);

        IDownload csv = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync($"[data-testid=certificate-csv-{batch}]"));
        string text = await File.ReadAllTextAsync((await csv.PathAsync())!);
        List<string> sources = db.Strings($"SELECT path FROM batch_sources WHERE batch_id = {batch} ORDER BY path;");
        Assert.Equal(11, sources.Count);
        List<Dictionary<string, string>> rows = Rows(text);
        Assert.Equal(sources, rows.Where(r => r["section"] == "source_file").Select(r => r["item"]).Order(StringComparer.Ordinal));
        Assert.Equal("false", rows.Single(r => r["item"] == "meets_release_criteria")["value"]);

        // The second batch's certificate names its unread file (and the file's SHA-256 as captured).
        long second = db.Scalar($"SELECT id FROM batches WHERE name = '{ManagerDashboardFixture.FormulaBatch}';");
        IDownload secondCsv = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync($"[data-testid=certificate-csv-{second}]"));
        string secondText = await File.ReadAllTextAsync((await secondCsv.PathAsync())!);
        Assert.Contains($"source_file,/scans/late/box-7.tif,{fixture.PendingSha256},", secondText, StringComparison.Ordinal);
        Assert.Contains($"batch,id,{second},'=1+2\n", secondText, StringComparison.Ordinal);

        Assert.Equal(
            [$"batch {batch} pdf", $"batch {batch} csv", $"batch {second} csv"],
            db.Strings("SELECT detail FROM audit WHERE action = 'download_certificate' AND username = 'carol' ORDER BY id;").Select(d => d.Split(':')[0]));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Clerk_CannotSeeOrDownloadACertificate()
    {
        IPage page = await fixture.SignInAsync("bob");
        long batch = fixture.Corpus.Scalar("SELECT id FROM batches WHERE name = 'test-batch';");
        IResponse? dashboard = await page.GotoAsync(fixture.BaseUrl + "/dashboard");
        Assert.Equal(403, dashboard!.Status);
        Assert.Equal(0, await page.Locator("[data-testid^=certificate-pdf]").CountAsync());
        foreach (string form in new[] { "pdf", "csv" })
        {
            IAPIResponse response = await page.APIRequest.GetAsync($"{fixture.BaseUrl}/api/dashboard/batches/{batch}/certificate.{form}");
            Assert.Equal(403, response.Status);
            Assert.DoesNotContain("%PDF", await response.TextAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(0, fixture.Corpus.Scalar("SELECT count(*) FROM audit WHERE action = 'download_certificate' AND username = 'bob';"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Dashboard_Turnaround_ShowsMedianP95OldestAndTheAtRiskList_AndExportsThem()
    {
        IPage page = await fixture.SignInAsync("carol");
        await page.GotoAsync(fixture.BaseUrl + "/dashboard");

        // Filed: 2, 3, 4, 5, 6 and 40 hours (nearest rank: median the 3rd, 95th percentile the 6th); 5 of 6 within 24 hours.
        Assert.Equal("24.0 h", await page.InnerTextAsync("[data-testid=turnaround-target]"));
        Assert.Equal("4.0 h", await page.InnerTextAsync("[data-testid=turnaround-median]"));
        Assert.Equal("40.0 h", await page.InnerTextAsync("[data-testid=turnaround-p95]"));
        Assert.Equal("83.3%", await page.InnerTextAsync("[data-testid=turnaround-within]"));
        Assert.Equal("6", await page.InnerTextAsync("[data-testid=turnaround-filed]"));
        Assert.Equal("8", await page.InnerTextAsync("[data-testid=turnaround-unfiled]"));
        // Ages grow while the test runs: a few minutes' leeway.
        Assert.InRange(HoursIn(await page.InnerTextAsync("[data-testid=turnaround-oldest]")), 50.0, 50.2);

        // At risk from 18 hours (0.75 of 24): the 50-hour document (overdue), the 20-hour one and the unread 3-page file.
        Assert.Equal("5", await page.InnerTextAsync("[data-testid=turnaround-at-risk]"));
        Assert.Equal("1", await page.InnerTextAsync("[data-testid=turnaround-overdue]"));
        Assert.Equal(3, await page.Locator("[data-testid=at-risk] tr[data-testid^=at-risk-]").CountAsync());
        string oldest = await page.InnerTextAsync($"[data-testid=at-risk-{fixture.Waiting[0]}]");
        Assert.Contains("overdue", oldest, StringComparison.Ordinal);
        Assert.Contains("test-batch", oldest, StringComparison.Ordinal);
        Assert.InRange(HoursIn(await page.InnerTextAsync($"[data-testid=at-risk-{fixture.Waiting[1]}] [data-testid=at-risk-age]")), 20.0, 20.2);
        string file = fixture.PendingSha256[..16];
        Assert.Equal(ManagerDashboardFixture.FormulaBatch, await page.InnerTextAsync($"[data-testid=at-risk-{file}] [data-testid=at-risk-batch]"));
        Assert.Equal(0, await page.Locator($"[data-testid=at-risk-{fixture.Waiting[2]}]").CountAsync());
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.chart img')].every(i => i.complete && i.naturalWidth > 0)");

        // The CSV export carries the same figures; the batch name is neutralised against spreadsheet formulas.
        IDownload export = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-testid=export]"));
        string csv = await File.ReadAllTextAsync((await export.PathAsync())!);
        Assert.Contains("turnaround,median_hours,4\n", csv, StringComparison.Ordinal);
        Assert.Contains("turnaround,p95_hours,40\n", csv, StringComparison.Ordinal);
        Assert.Contains("turnaround,pages_at_risk,5\n", csv, StringComparison.Ordinal);
        Assert.Contains($"at_risk_batch,{file},'=1+2\n", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",=1+2", csv, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    /// <summary>A CSV with a header, each row keyed by it.</summary>
    private static List<Dictionary<string, string>> Rows(string csv)
    {
        List<Digitise.Text.CsvRecord> records = [.. Digitise.Text.Csv.ReadRecords(new StringReader(csv)).Where(r => !r.IsEmpty)];
        IReadOnlyList<string> header = records[0].Fields;
        return [.. records.Skip(1).Select(r => header.Zip(r.Fields).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal))];
    }

    /// <summary>"20.0 h" as hours.</summary>
    private static double HoursIn(string text) => double.Parse(text.Replace(" h", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture);
}
