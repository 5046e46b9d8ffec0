using Digitise.Data.Sqlite;
using Digitise.Hosting;
using Digitise.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Digitise.Verify.Ui.Tests;

/// <summary>
/// The real app (Kestrel on a free loopback port) over a seeded temp database, wired as <c>digitise serve</c> wires it
/// (SQLite, a local blob folder, the CLI's exports), driven by Debian's Chromium.
/// </summary>
public abstract class AppBrowserFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private IPlaywright? _playwright;

    internal TestCorpus Corpus { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Corpus = await CreateCorpusAsync();
        _app = await VerifyApp.CreateAsync(["--urls", "http://127.0.0.1:0"], o =>
        {
            o.DatabasePath = Corpus.DatabasePath;
            Configure(o);
        }, services =>
        {
            services.AddDigitiseSqlite().AddDigitiseLocalBlobs();
            Digitise.Cli.DigitiseHost.AddExports(services, DigitiseConfiguration.Load(null));
        }, configuration: null, CancellationToken.None);
        await _app.StartAsync();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await Corpus.DisposeAsync();
    }

    /// <summary>A fresh browser context signed in as <paramref name="user"/> (downloads accepted).</summary>
    public async Task<IPage> SignInAsync(string user, int width = 1440, int height = 900)
    {
        IBrowserContext context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, AcceptDownloads = true });
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(BaseUrl + "/signin");
        await page.FillAsync("input[name=userName]", user);
        await page.FillAsync("input[name=password]", TestCorpus.Password);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        return page;
    }

    /// <summary>The database, its documents and its accounts.</summary>
    private protected abstract Task<TestCorpus> CreateCorpusAsync();

    /// <summary>Settings on top of the defaults.</summary>
    private protected virtual void Configure(VerifyOptions options)
    {
    }
}

/// <summary>The clerks', managers' and operators' screens over a queue of flagged, unmatched and auto-filed documents.</summary>
public sealed class BrowserFixture : AppBrowserFixture
{
    private protected override async Task<TestCorpus> CreateCorpusAsync()
    {
        TestCorpus corpus = await TestCorpus.CreateAsync(flagged: 8, autoFiled: 40, highRiskFirst: false);
        await corpus.AddUserAsync("alice", Roles.Clerk);
        await corpus.AddUserAsync("bob", Roles.Clerk);
        await corpus.AddUserAsync("carol", Roles.Manager);
        await corpus.AddUserAsync("dave", Roles.Clerk);
        await corpus.AddUserAsync("olive", Roles.Operator);
        await corpus.AddUserAsync("erin", Roles.Clerk);
        return corpus;
    }

    private protected override void Configure(VerifyOptions options)
    {
        options.QaShare = 0.1;
        options.SecondConfirmation = false;
    }

    public static string ScreenshotPath(string name)
    {
        string dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Digitise.sln")))
        {
            dir = Path.GetDirectoryName(dir)!;
        }

        string folder = Path.Combine(dir ?? Path.GetTempPath(), "docs", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}

[CollectionDefinition("browser")]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>;

[Collection("browser")]
public sealed class VerifyAppBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Page_Unauthenticated_RedirectsToSignIn()
    {
        IBrowserContext context = await fixture.Browser.NewContextAsync();
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/verify");
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
        Assert.True(await page.IsVisibleAsync("[data-testid=signin-form]"));
        await context.CloseAsync();
    }

    [Fact]
    public async Task Api_Unauthenticated_Returns401()
    {
        using var http = new HttpClient();
        HttpResponseMessage response = await http.GetAsync(new Uri(fixture.BaseUrl + "/api/queue/next"));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        // The API description is for administrators, not the public (issue 10): anonymous requests end at the sign-in form.
        HttpResponseMessage openApi = await http.GetAsync(new Uri(fixture.BaseUrl + "/openapi/v1.json"));
        Assert.DoesNotContain("/api/queue/next", await openApi.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("/signin", openApi.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WrongPassword_IsRefused()
    {
        IBrowserContext context = await fixture.Browser.NewContextAsync();
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/signin");
        await page.FillAsync("input[name=userName]", "alice");
        await page.FillAsync("input[name=password]", "not-the-password");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("[data-testid=signin-error]");
        await context.CloseAsync();
    }

    [Fact]
    public async Task Clerk_Dashboard_IsForbidden()
    {
        IPage page = await fixture.SignInAsync("bob");
        IResponse? response = await page.GotoAsync(fixture.BaseUrl + "/dashboard");
        Assert.Equal(403, response!.Status);
        Assert.True(await page.IsVisibleAsync("[data-testid=forbidden]"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Clerk_VerifiesByKeyboardAlone_DocumentIsFiledAndTwoClerksGetDifferentDocuments()
    {
        IPage alice = await fixture.SignInAsync("alice");
        IPage bob = await fixture.SignInAsync("bob");
        await alice.WaitForSelectorAsync("#app[data-state=ready]");
        await bob.WaitForSelectorAsync("#app[data-state=ready]");
        string aliceDoc = (await alice.GetAttributeAsync("#app", "data-document-id"))!;
        string bobDoc = (await bob.GetAttributeAsync("#app", "data-document-id"))!;
        Assert.NotEqual(aliceDoc, bobDoc);

        // Uncertain OCR characters are marked, and the identifier words are highlighted on the page.
        Assert.True(await alice.Locator("[data-testid=identifiers] mark.unsure").CountAsync() > 0);
        Assert.True(await alice.Locator(".overlay rect.ident").CountAsync() > 0);
        await alice.WaitForFunctionAsync("() => document.querySelector('.sheet img').complete");
        await alice.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("clerk-screen.png") });

        string patient = fixture.Corpus.Text($"SELECT patient_id FROM candidates WHERE document_id = '{aliceDoc}' AND rank = 1;")!;
        await alice.Keyboard.PressAsync("1");
        await alice.Keyboard.PressAsync("Enter");
        await alice.WaitForFunctionAsync($"() => document.querySelector('#app').dataset.documentId !== '{aliceDoc}'");

        Assert.Equal("filed", fixture.Corpus.Text($"SELECT status FROM documents WHERE document_id = '{aliceDoc}';"));
        Assert.Equal(patient, fixture.Corpus.Text($"SELECT patient_id FROM decisions WHERE document_id = '{aliceDoc}' AND actor = 'user:alice' AND status = 'filed';"));
        string aliceNext = (await alice.GetAttributeAsync("#app", "data-document-id"))!;
        Assert.NotEqual(bobDoc, aliceNext);
        await alice.Context.CloseAsync();
        await bob.Context.CloseAsync();
    }

    [Fact]
    public async Task Clerk_UncertainDocumentType_PicksItWithOneKeyThenFiles()
    {
        IPage dave = await fixture.SignInAsync("dave");
        await dave.WaitForSelectorAsync("#app[data-state=ready]");
        string documentId = (await dave.GetAttributeAsync("#app", "data-document-id"))!;

        // The classifier was unsure of this one; the clerk's lease brings the same document back on reload.
        fixture.Corpus.Execute($"UPDATE documents SET document_type = 'clinical_letter', document_type_confidence = 0.41, document_type_source = 'classifier', document_type_model = 'dt-0' WHERE document_id = '{documentId}';");

        await dave.ReloadAsync();
        await dave.WaitForSelectorAsync("#app[data-state=ready]");
        Assert.Equal(documentId, await dave.GetAttributeAsync("#app", "data-document-id"));
        await dave.WaitForFunctionAsync("() => document.querySelector('[data-testid=doc-type]').textContent.includes('Unsure')");
        Assert.Contains("Laboratory report", await dave.InnerTextAsync("[data-testid=type-keys]"), StringComparison.Ordinal);

        // Enter alone does not file an untyped document.
        await dave.Keyboard.PressAsync("Enter");
        await dave.WaitForFunctionAsync("() => document.querySelector('[data-testid=status]').textContent.includes('Pick the document type')");
        Assert.Equal(documentId, await dave.GetAttributeAsync("#app", "data-document-id"));

        // L (laboratory report, as the list shows) sets the type; Enter then files to the preselected candidate.
        await dave.Keyboard.PressAsync("l");
        await dave.WaitForFunctionAsync("() => document.querySelector('[data-testid=doc-type]').textContent.includes('set by clerk')");
        await dave.Keyboard.PressAsync("Enter");
        await dave.WaitForFunctionAsync($"() => document.querySelector('#app').dataset.documentId !== '{documentId}'");

        Assert.Equal("laboratory_report", fixture.Corpus.Text($"SELECT document_type FROM documents WHERE document_id = '{documentId}';"));
        Assert.Equal("clerk", fixture.Corpus.Text($"SELECT document_type_source FROM documents WHERE document_id = '{documentId}';"));
        Assert.NotEqual("needs_verification", fixture.Corpus.Text($"SELECT status FROM documents WHERE document_id = '{documentId}';"));
        Assert.Equal("laboratory_report", fixture.Corpus.Text($"SELECT detail FROM audit WHERE document_id = '{documentId}' AND action = 'set_document_type' AND username = 'dave';"));
        await dave.Context.CloseAsync();
    }

    [Fact]
    public async Task Dashboard_Numbers_MatchTheStore()
    {
        IPage page = await fixture.SignInAsync("carol", 1360, 1500);
        await page.GotoAsync(fixture.BaseUrl + "/dashboard");
        TestCorpus db = fixture.Corpus;
        async Task<long> Number(string id) => long.Parse(await page.InnerTextAsync($"[data-testid={id}]"), System.Globalization.CultureInfo.InvariantCulture);
        long queue = db.Scalar("SELECT count(*) FROM documents WHERE status IN ('needs_verification', 'unmatched');");
        Assert.Equal(queue, await Number("queue-size"));
        Assert.Equal(db.Scalar("SELECT count(*) FROM documents;"), await Number("documents-total"));
        Assert.Equal(db.Scalar("SELECT count(*) FROM documents WHERE status = 'auto_filed';"), await Number("docs-auto_filed"));
        Assert.Equal(db.Scalar("SELECT count(*) FROM pages;"), await Number("pages-total"));
        Assert.Equal(db.Scalar("SELECT count(*) FROM source_files;"), await Number("files-total"));
        Assert.Equal(db.Scalar("SELECT count(*) FROM qa_reviews WHERE verdict IN ('correct', 'misfiled');"), await Number("qa-reviewed"));
        Assert.Equal(db.Scalar("SELECT count(*) FROM documents WHERE document_type IS NULL AND status NOT IN ('quarantined', 'superseded');"), await Number("type-none"));
        Assert.Equal(db.Scalar("SELECT count(*) FROM documents WHERE document_type = 'laboratory_report' AND status NOT IN ('quarantined', 'superseded');"), await Number("type-laboratory_report"));
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.chart img')].every(i => i.complete && i.naturalWidth > 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("dashboard.png"), FullPage = true });
        await page.Context.CloseAsync();
    }
}
