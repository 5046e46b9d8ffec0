using System.Net;
using Digitise.Storage;

namespace Digitise.Verify.Ui.Tests.Security;

/// <summary>Issue 10, finding 1 (critical) and 2 (high): sessions are bound to the database and can be revoked.</summary>
public sealed class SessionSecurityTests
{
    [Fact]
    public async Task Cookie_MintedByAnInstanceOnAnotherDatabase_IsRefused()
    {
        await using SecurityApp production = await SecurityApp.StartAsync();
        await using SecurityApp elsewhere = await SecurityApp.StartAsync();
        await elsewhere.Corpus.AddUserAsync("mallory", Roles.Admin);
        using WebClient mallory = await elsewhere.SignedInAsync("mallory");
        Assert.Equal(HttpStatusCode.OK, (await mallory.GetAsync("/api/audit")).StatusCode);

        // The same cookie presented to the production instance: no audit log, no lease, no page image.
        using WebClient replay = WebClient.WithSessionCookie(production.BaseUrl, mallory.SessionCookie!);
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.GetAsync("/api/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.GetAsync("/api/queue/next")).StatusCode);
        Assert.Equal(0, production.Corpus.Scalar("SELECT count(*) FROM audit WHERE username = 'mallory';"));
        Assert.Equal(0, production.Corpus.Scalar("SELECT count(*) FROM work_items WHERE lease_user = 'mallory';"));
    }

    [Fact]
    public async Task Cookie_FromAnotherDatabaseSharingTheKeyFolder_IsStillRefused()
    {
        // Even when an operator points two deployments at one key folder (so the cookie decrypts), the session is unknown here.
        string keys = Path.Combine(Path.GetTempPath(), "digitise-keys-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using SecurityApp production = await SecurityApp.StartAsync(o => o.KeyFolder = keys);
            await using SecurityApp elsewhere = await SecurityApp.StartAsync(o => o.KeyFolder = keys);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keys));
            using WebClient alice = await elsewhere.SignedInAsync("alice");
            using WebClient replay = WebClient.WithSessionCookie(production.BaseUrl, alice.SessionCookie!);
            Assert.Equal(HttpStatusCode.Unauthorized, (await replay.GetAsync("/api/queue/next")).StatusCode);
            Assert.Equal(0, production.Corpus.Scalar("SELECT count(*) FROM data_protection_keys;"));
        }
        finally
        {
            Directory.Delete(keys, recursive: true);
        }
    }

    [Fact]
    public async Task KeyRing_LivesInTheDatabase_AndInstancesOnOneDatabaseShareIt()
    {
        await using SecurityApp first = await SecurityApp.StartAsync();
        await using SecurityApp second = await SecurityApp.StartAsync(corpus: first.Corpus);
        using WebClient alice = await first.SignedInAsync("alice");
        Assert.True(first.Corpus.Scalar("SELECT count(*) FROM data_protection_keys;") >= 1);

        using WebClient sameDatabase = WebClient.WithSessionCookie(second.BaseUrl, alice.SessionCookie!);
        Assert.Equal(HttpStatusCode.OK, (await sameDatabase.GetAsync("/api/session")).StatusCode);
    }

    [Fact]
    public async Task Cookie_ReplayedAfterSignOut_IsRefused()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient alice = await app.SignedInAsync("alice");
        string cookie = alice.SessionCookie!;
        Assert.Equal(HttpStatusCode.Redirect, (await alice.PostFormAsync("/signout", "/verify")).StatusCode);

        using WebClient replay = WebClient.WithSessionCookie(app.BaseUrl, cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.GetAsync("/api/queue/next")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.Http.PostAsync(new Uri("/api/patients/search", UriKind.Relative),
            System.Net.Http.Json.JsonContent.Create(new { nhsNumber = "9434765919" }))).StatusCode);
        Assert.Equal(1, app.Corpus.Scalar("SELECT count(*) FROM sessions WHERE username = 'alice' AND revoked_reason = 'signed_out';"));
    }

    [Fact]
    public async Task Cookie_ReplayedAfterDisable_IsRefusedAndAudited()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient alice = await app.SignedInAsync("alice");
        Assert.NotNull(await alice.NextAsync());
        Assert.True(await app.Store.SetUserDisabledAsync("alice", disabled: true, "test", CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.GetAsync("/api/queue/next")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.SignInAsync("alice")).StatusCode);

        // Both refusals are evidence in the audit log: the replayed cookie and the sign-in of the disabled account.
        Assert.Equal(1, app.Corpus.Scalar("SELECT count(*) FROM audit WHERE username = 'alice' AND action = 'session_refused';"));
        Assert.Equal(1, app.Corpus.Scalar("SELECT count(*) FROM audit WHERE username = 'alice' AND action = 'sign_in_failed';"));
    }

    [Fact]
    public async Task Cookie_ReplayedAfterRoleAndPasswordChange_IsRefused()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient bob = await app.SignedInAsync("bob");
        string cookie = bob.SessionCookie!;
        Assert.NotNull(await bob.NextAsync());

        // Moved to operator with a new password: the old clerk cookie leases nothing, not even as an operator.
        await new UserPasswords(app.Store).SaveAsync("bob", "a-new-long-passphrase", Roles.Operator, "test", CancellationToken.None);
        using WebClient replay = WebClient.WithSessionCookie(app.BaseUrl, cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.GetAsync("/api/queue/next")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.GetAsync("/api/batches")).StatusCode);
        Assert.True(app.Corpus.Scalar("SELECT count(*) FROM audit WHERE username = 'bob' AND action = 'session_refused';") >= 1);
    }

    [Fact]
    public async Task Session_PastItsAbsoluteLifetimeOrIdle_IsRefusedThoughTheCookieIsValid()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient alice = await app.SignedInAsync("alice");
        using WebClient carol = await app.SignedInAsync("carol");
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/session")).StatusCode);

        // The database has the last word: an expired or idle session is refused however fresh the cookie.
        app.Corpus.Execute("UPDATE sessions SET absolute_expires_utc = '2000-01-01T00:00:00.0000000Z' WHERE username = 'alice';");
        app.Corpus.Execute("UPDATE sessions SET last_seen_utc = '2000-01-01T00:00:00.0000000Z' WHERE username = 'carol';");
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.GetAsync("/api/session")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await carol.GetAsync("/api/session")).StatusCode);
        Assert.Equal("expired", app.Corpus.Text("SELECT revoked_reason FROM sessions WHERE username = 'alice';"));
        Assert.Equal("idle", app.Corpus.Text("SELECT revoked_reason FROM sessions WHERE username = 'carol';"));
    }

    [Fact]
    public async Task SignOutEverywhere_EndsEveryOtherSessionOfTheAccount()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient laptop = await app.SignedInAsync("alice");
        using WebClient desktop = await app.SignedInAsync("alice");
        Assert.Equal(HttpStatusCode.Redirect, (await laptop.PostFormAsync("/signout/everywhere", "/verify")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await desktop.GetAsync("/api/session")).StatusCode);
    }

    [Fact]
    public async Task SignOut_WithoutAntiforgeryToken_IsRefusedAndTheSessionStays()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient alice = await app.SignedInAsync("alice");
        HttpResponseMessage forged = await alice.PostFormAsync("/signout", withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/session")).StatusCode);
    }

    [Fact]
    public async Task SignIn_WhileSignedInAsSomeoneElse_SwitchesUserAndEndsTheFirstSession()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient browser = app.Client();
        string formOpenedEarlier = await browser.Http.GetStringAsync(new Uri("/signin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync("alice")).StatusCode);

        // The form opened before alice signed in (another tab) now signs bob in: no bare 400.
        HttpResponseMessage response = await browser.SignInAsync("bob", form: formOpenedEarlier);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("\"userName\":\"bob\"", await (await browser.GetAsync("/api/session")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("replaced_by_sign_in", app.Corpus.Text("SELECT revoked_reason FROM sessions WHERE username = 'alice';"));
    }
}
