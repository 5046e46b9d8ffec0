using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Digitise.Verify.Ui.Tests.Security;

/// <summary>Issue 10, finding 7 (low items), and the probes that held (so they keep holding).</summary>
public sealed class HardeningSecurityTests
{
    [Fact]
    public async Task RequestBody_OverTheLimit_Is413BeforeItIsRead()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient alice = await app.SignedInAsync("alice");
        using var big = new ByteArrayContent(new byte[1024 * 1024]);
        big.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await alice.Http.PostAsync(new Uri("/signin", UriKind.Relative), big)).StatusCode);
        HttpResponseMessage json = await alice.PostJsonAsync("/api/patients/search", new { familyName = new string('A', 200_000) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, json.StatusCode);
    }

    [Theory]
    [InlineData("/verify\u0001")]
    [InlineData("/\r\nSet-Cookie: x=y")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example")]
    [InlineData("https://evil.example/")]
    public async Task SignIn_UnsafeReturnUrl_RedirectsHome(string returnUrl)
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient client = app.Client();
        HttpResponseMessage response = await client.SignInAsync("alice", returnUrl: returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SignIn_SafeReturnUrl_IsKept_AndAHugeUserNameIs400()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient client = app.Client();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SignInAsync(new string('a', 5000))).StatusCode);
        HttpResponseMessage response = await client.SignInAsync("alice", returnUrl: "/verify");
        Assert.Equal("/verify", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Redirect_ToSignIn_IsRelative_TheHostHeaderIsNotReflected()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient client = app.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/verify", UriKind.Relative));
        request.Headers.Host = "evil.example";
        HttpResponseMessage response = await client.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin?", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.DoesNotContain("evil", response.Headers.Location.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_IsForAdministratorsOnly()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient anonymous = app.Client();
        using WebClient alice = await app.SignedInAsync("alice");
        using WebClient dave = await app.SignedInAsync("dave");
        Assert.Equal(HttpStatusCode.Redirect, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync("/openapi/v1.json")).StatusCode);
        HttpResponseMessage admin = await dave.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("/api/queue/next", await admin.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cookie_IsSecure_WhenAConfiguredTlsProxySaysHttps_AndOnlyThen()
    {
        KeyValuePair<string, string>[] forwarded = [new("X-Forwarded-Proto", "https"), new("X-Forwarded-For", "203.0.113.9")];
        await using (SecurityApp behindProxy = await SecurityApp.StartAsync(o => o.KnownProxies = ["127.0.0.1"]))
        {
            using WebClient client = behindProxy.Client();
            HttpResponseMessage response = await client.SignInAsync("alice", headers: forwarded);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            string cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("digitise.session=", StringComparison.Ordinal));
            Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        }

        // Without a configured proxy anyone could send the header: it is ignored.
        await using SecurityApp direct = await SecurityApp.StartAsync();
        using WebClient other = direct.Client();
        HttpResponseMessage plain = await other.SignInAsync("alice", headers: forwarded);
        Assert.DoesNotContain("secure", plain.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("digitise.session=", StringComparison.Ordinal)),
            StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Anonymous_EveryRoute_IsRefused()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient anonymous = app.Client();
        string doc = app.Corpus.Text("SELECT document_id FROM documents LIMIT 1;")!;
        foreach (string api in new[] { "/api/session", "/api/queue/next", $"/api/documents/{doc}/pages/1/image", "/api/dashboard", "/api/dashboard/export.csv",
                     "/api/dashboard/searches", "/api/audit", "/api/batches", "/api/batches/1/quarantined" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(api)).StatusCode);
        }

        foreach (string page in new[] { "/", "/verify", "/dashboard", "/operator" })
        {
            HttpResponseMessage response = await anonymous.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/signin", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        HttpResponseMessage post = await anonymous.Http.PostAsync(new Uri($"/api/documents/{doc}/decision", UriKind.Relative),
            JsonContent.Create(new { action = "file", patientId = "P000001" }));
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
    }

    [Fact]
    public async Task WrongRole_IsRefused()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient alice = await app.SignedInAsync("alice");
        using WebClient olive = await app.SignedInAsync("olive");
        using WebClient carol = await app.SignedInAsync("carol");
        foreach (string path in new[] { "/api/dashboard", "/api/audit", "/api/batches", "/dashboard", "/operator" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync(path)).StatusCode);
        }

        foreach (string path in new[] { "/api/queue/next", "/api/dashboard", "/api/audit", "/verify" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await olive.GetAsync(path)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await carol.GetAsync("/api/queue/next")).StatusCode);
    }

    [Fact]
    public async Task Lease_AnotherClerksDocument_CannotBeDecidedViewedOrReleased()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient alice = await app.SignedInAsync("alice");
        using WebClient bob = await app.SignedInAsync("bob");
        System.Text.Json.JsonElement doc = (await alice.NextAsync())!.Value;
        string id = doc.GetProperty("documentId").GetString()!;
        string top = doc.GetProperty("candidates")[0].GetProperty("patientId").GetString()!;
        Assert.Equal(HttpStatusCode.Conflict, (await bob.DecideAsync(id, "file", top)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.GetAsync($"/api/documents/{id}/pages/1/image")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.SearchAsync(new { nhsNumber = "9434765919", documentId = id })).Status);
        await bob.PostJsonAsync($"/api/documents/{id}/release", new { });
        Assert.Equal("alice", app.Corpus.Text($"SELECT lease_user FROM work_items WHERE document_id = '{id}';"));
    }

    [Fact]
    public async Task ApiWrite_WithoutAntiforgeryToken_Is400()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient alice = await app.SignedInAsync("alice");
        string id = (await alice.NextAsync())!.Value.GetProperty("documentId").GetString()!;
        HttpResponseMessage response = await alice.PostJsonAsync($"/api/documents/{id}/decision", new { action = "not_on_index" }, withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("needs_verification", app.Corpus.Text($"SELECT status FROM documents WHERE document_id = '{id}';"));
    }

    [Fact]
    public async Task SecurityHeaders_AreOnEveryResponse()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient alice = await app.SignedInAsync("alice");
        foreach (string path in new[] { "/signin", "/verify", "/api/session", "/api/queue/next" })
        {
            HttpResponseMessage response = await alice.GetAsync(path);
            string csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        }
    }

    [Fact]
    public async Task PathTraversal_AndInjection_InIds_FindNothing()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient dave = await app.SignedInAsync("dave");
        foreach (string id in new[] { "..%2F..%2F..%2Fetc%2Fpasswd", "x'%20OR%20'1'%3D'1", "%2E%2E" })
        {
            HttpResponseMessage response = await dave.GetAsync($"/api/documents/{id}/pages/1/image");
            Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{id}: {response.StatusCode}");
            Assert.DoesNotContain("root:", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SignInPage_ReflectsNoMarkup()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient client = app.Client();
        string page = await client.Http.GetStringAsync(new Uri("/signin?returnUrl=%2F%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", UriKind.Relative));
        Assert.DoesNotContain("<script>alert", page, StringComparison.Ordinal);
        HttpResponseMessage failed = await client.SignInAsync("<img src=x onerror=alert(1)>", "wrong-password-x");
        Assert.DoesNotContain("<img src=x", Encoding.UTF8.GetString(await failed.Content.ReadAsByteArrayAsync()), StringComparison.Ordinal);
    }
}
