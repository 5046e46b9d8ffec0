using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Digitise.Data.Sqlite;
using Digitise.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Digitise.Verify.Ui.Tests.Security;

/// <summary>The real app (Kestrel on a free loopback port) over a real SQLite file (or PostgreSQL database), for HTTP-level attacks.</summary>
internal sealed class SecurityApp : IAsyncDisposable
{
    private readonly bool _ownsCorpus;

    private SecurityApp(TestCorpus corpus, WebApplication app, Uri baseUrl, bool ownsCorpus)
    {
        Corpus = corpus;
        App = app;
        BaseUrl = baseUrl;
        _ownsCorpus = ownsCorpus;
    }

    public TestCorpus Corpus { get; }

    public WebApplication App { get; }

    public Uri BaseUrl { get; }

    public SqlVerificationStore Store => Corpus.OpenStore();

    /// <summary>Starts the app with generous sign-in limits (tests that probe throttling set their own).</summary>
    public static async Task<SecurityApp> StartAsync(Action<VerifyOptions>? configure = null, TestCorpus? corpus = null, int flagged = 6, int autoFiled = 20,
        bool highRiskFirst = false)
    {
        bool owns = corpus is null;
        corpus ??= await TestCorpus.CreateAsync(flagged, autoFiled, highRiskFirst);
        if (owns)
        {
            await corpus.AddUserAsync("alice", Roles.Clerk);
            await corpus.AddUserAsync("bob", Roles.Clerk);
            await corpus.AddUserAsync("carol", Roles.Manager);
            await corpus.AddUserAsync("dave", Roles.Admin);
            await corpus.AddUserAsync("olive", Roles.Operator);
        }

        WebApplication app = await VerifyApp.CreateAsync(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Error"], o =>
        {
            o.DatabasePath = corpus.DatabasePath;
            o.Blobs = corpus.IsPostgres ? Path.Combine(corpus.Folder, "blobs") : null;
            o.SignInsPerAddressPerMinute = 1000;
            o.SignInsPerUserPerMinute = 1000;
            o.SearchBurst = 1000;
            configure?.Invoke(o);
        }, CancellationToken.None);
        await app.StartAsync();
        var baseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new SecurityApp(corpus, app, baseUrl, owns);
    }

    public WebClient Client() => new(BaseUrl);

    public async Task<WebClient> SignedInAsync(string user)
    {
        WebClient client = Client();
        HttpResponseMessage response = await client.SignInAsync(user);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (_ownsCorpus)
        {
            await Corpus.DisposeAsync();
        }
    }
}

/// <summary>A browser-like HTTP client: its own cookie jar, no automatic redirects, the antiforgery token handled.</summary>
internal sealed partial class WebClient : IDisposable
{
    private readonly HttpClientHandler _handler;

    public WebClient(Uri baseUrl)
    {
        BaseUrl = baseUrl;
        _handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true };
        Http = new HttpClient(_handler) { BaseAddress = baseUrl };
    }

    public Uri BaseUrl { get; }

    public HttpClient Http { get; }

    public CookieContainer Cookies => _handler.CookieContainer;

    /// <summary>The session cookie's value, to replay elsewhere.</summary>
    public string? SessionCookie => Cookies.GetCookies(BaseUrl)["digitise.session"]?.Value;

    /// <summary>Opens the sign-in form (or reuses <paramref name="form"/>) and posts the credentials.</summary>
    public async Task<HttpResponseMessage> SignInAsync(string user, string password = TestCorpus.Password, string? returnUrl = null, string? form = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        form ??= await Http.GetStringAsync(new Uri("/signin", UriKind.Relative));
        (string field, string token) = FormToken(form);
        var fields = new List<KeyValuePair<string, string>> { new(field, token), new("userName", user), new("password", password) };
        if (returnUrl is not null)
        {
            fields.Add(new("returnUrl", returnUrl));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/signin", UriKind.Relative)) { Content = new FormUrlEncodedContent(fields) };
        foreach (KeyValuePair<string, string> header in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>The antiforgery token for API writes (GET /api/session).</summary>
    public async Task<string> CsrfAsync()
    {
        using JsonDocument session = JsonDocument.Parse(await Http.GetStringAsync(new Uri("/api/session", UriKind.Relative)));
        return session.RootElement.GetProperty("csrfToken").GetString()!;
    }

    public Task<HttpResponseMessage> GetAsync(string path) => Http.GetAsync(new Uri(path, UriKind.Relative));

    public async Task<HttpResponseMessage> PostJsonAsync(string path, object body, bool withToken = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        if (withToken)
        {
            request.Headers.Add("X-CSRF-TOKEN", await CsrfAsync());
        }

        return await Http.SendAsync(request);
    }

    /// <summary>POSTs a page's form (its antiforgery field from <paramref name="pagePath"/>), e.g. /signout.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string path, string pagePath = "/signin", bool withToken = true)
    {
        var fields = new List<KeyValuePair<string, string>>();
        if (withToken)
        {
            (string field, string token) = FormToken(await Http.GetStringAsync(new Uri(pagePath, UriKind.Relative)));
            fields.Add(new(field, token));
        }

        return await Http.PostAsync(new Uri(path, UriKind.Relative), new FormUrlEncodedContent(fields));
    }

    /// <summary>The next document for the signed-in clerk (null when the queue is empty).</summary>
    public async Task<JsonElement?> NextAsync()
    {
        HttpResponseMessage response = await GetAsync("/api/queue/next");
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> DecideAsync(string documentId, string action, string? patientId = null)
    {
        HttpResponseMessage response = await PostJsonAsync($"/api/documents/{documentId}/decision", new { action, patientId });
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone());
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> SearchAsync(object query)
    {
        HttpResponseMessage response = await PostJsonAsync("/api/patients/search", query);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone());
    }

    /// <summary>A fresh client that presents only <paramref name="sessionCookie"/> (a replayed or stolen cookie).</summary>
    public static WebClient WithSessionCookie(Uri baseUrl, string sessionCookie)
    {
        var client = new WebClient(baseUrl);
        client.Cookies.Add(baseUrl, new Cookie("digitise.session", sessionCookie));
        return client;
    }

    public static (string Field, string Token) FormToken(string html)
    {
        Match match = TokenInput().Match(html);
        Assert.True(match.Success, "The page has no antiforgery field.");
        return (match.Groups[1].Value, WebUtility.HtmlDecode(match.Groups[2].Value));
    }

    public void Dispose()
    {
        Http.Dispose();
        _handler.Dispose();
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]*RequestVerificationToken[^\"]*)\" value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
