using Digitise.Data.Sqlite;
using Digitise.Domain;
using Microsoft.Playwright;

namespace Digitise.Verify.Ui.Tests.Security;

/// <summary>Issue 10 in a real browser (Debian's Chromium): what a person at the screen would see.</summary>
[Collection("browser")]
public sealed class SecurityBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task SignIn_InASecondTabWhileSignedInAsSomeoneElse_SwitchesUser()
    {
        IBrowserContext context = await fixture.Browser.NewContextAsync();
        IPage early = await context.NewPageAsync();
        await early.GotoAsync(fixture.BaseUrl + "/signin");
        IPage other = await context.NewPageAsync();
        await other.GotoAsync(fixture.BaseUrl + "/signin");
        await other.FillAsync("input[name=userName]", "carol");
        await other.FillAsync("input[name=password]", TestCorpus.Password);
        await other.Keyboard.PressAsync("Enter");
        await other.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));

        // The first tab's form was issued before carol signed in: it still signs olive in (it used to answer a bare 400).
        await early.FillAsync("input[name=userName]", "olive");
        await early.FillAsync("input[name=password]", TestCorpus.Password);
        await early.Keyboard.PressAsync("Enter");
        await early.WaitForURLAsync(url => url.Contains("/operator", StringComparison.Ordinal));
        Assert.Equal("olive", await early.InnerTextAsync("[data-testid=user]"));
        await context.CloseAsync();
    }

    [Fact]
    public async Task OperatorPage_ProgressBar_RaisesNoContentSecurityPolicyViolation()
    {
        IPage page = await fixture.SignInAsync("olive");
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(message.Text);
            }
        };
        await page.GotoAsync(fixture.BaseUrl + "/operator");
        await page.WaitForSelectorAsync("progress.progress");
        Assert.Equal("100", await page.GetAttributeAsync("progress.progress", "value"));
        Assert.Empty(violations);
        Assert.Equal(0, await page.Locator("[style]").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Cookie_CopiedBeforeSignOut_IsRefusedInAnotherBrowser()
    {
        IPage page = await fixture.SignInAsync("carol");
        IReadOnlyList<BrowserContextCookiesResult> cookies = await page.Context.CookiesAsync();
        await page.GotoAsync(fixture.BaseUrl + "/dashboard");
        await page.ClickAsync("form[action='/signout'] button");
        await page.WaitForURLAsync(url => url.Contains("/signin", StringComparison.Ordinal));

        IBrowserContext thief = await fixture.Browser.NewContextAsync();
        await thief.AddCookiesAsync(cookies.Select(c => new Cookie { Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path }));
        IPage stolen = await thief.NewPageAsync();
        await stolen.GotoAsync(fixture.BaseUrl + "/dashboard");
        Assert.Contains("/signin", stolen.Url, StringComparison.Ordinal);
        await thief.CloseAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SearchResult_WithMarkupInTheName_IsShownAsText()
    {
        await using (SqliteDigitiseStore store = await SqliteDigitiseStore.OpenAsync(fixture.Corpus.DatabasePath, CancellationToken.None))
        {
            await store.UpsertPatientsAsync(
                [new Patient("PXSS01", null, "XSS0001", "<img src=x onerror=\"window.__xss=1\">", "<script>window.__xss=2</script>", new DateOnly(1970, 1, 1), "F", null, null)],
                CancellationToken.None);
        }

        IPage page = await fixture.SignInAsync("erin");
        await page.WaitForSelectorAsync("#app[data-state=ready]");
        await page.FillAsync(".search-form input[name=hospitalNumber]", "XSS0001");
        await page.PressAsync(".search-form input[name=hospitalNumber]", "Enter");
        await page.WaitForSelectorAsync("[data-testid=search-results] li");
        Assert.Contains("<img src=x", await page.InnerTextAsync("[data-testid=search-results]"), StringComparison.Ordinal);
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__xss"));
        Assert.Equal(0, await page.Locator("[data-testid=search-results] img").CountAsync());
        await page.Context.CloseAsync();
    }
}
