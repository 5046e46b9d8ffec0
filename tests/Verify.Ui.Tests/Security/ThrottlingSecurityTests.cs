using System.Net;
using System.Text.Json;
using Digitise.Storage;

namespace Digitise.Verify.Ui.Tests.Security;

/// <summary>Issue 10, findings 5 and 6 (medium): sign-in brute force and index harvesting are throttled; weak passwords refused.</summary>
public sealed class ThrottlingSecurityTests
{
    [Fact]
    public async Task BruteForce_LocksTheAccount_TheRightPasswordThenFails_UntilTheLockoutEnds()
    {
        await using SecurityApp app = await SecurityApp.StartAsync(o => o.LockoutThreshold = 5);
        using WebClient attacker = app.Client();
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await attacker.SignInAsync("alice", "wrong-password-" + i)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await attacker.SignInAsync("alice")).StatusCode);
        Assert.Null(attacker.SessionCookie);
        Assert.True(app.Corpus.Scalar("SELECT failed_signins FROM users WHERE username = 'alice';") >= 5);
        Assert.True(app.Corpus.Scalar("SELECT count(*) FROM audit WHERE username = 'alice' AND action = 'sign_in_locked';") >= 1);
        Assert.Equal(13 - 5, app.Corpus.Scalar("SELECT count(*) FROM audit WHERE username = 'alice' AND action = 'sign_in_refused_locked';"));

        // Back-off: each failure past the threshold doubles the lockout (persisted, so a restart does not reset it).
        SignInLockout lockout = await app.Store.GetLockoutAsync("alice", CancellationToken.None);
        Assert.True(lockout.LockedUntilUtc > DateTimeOffset.UtcNow.AddMinutes(30));

        // When the lockout has passed, the right password works and the count starts again.
        app.Corpus.Execute("UPDATE users SET locked_until_utc = '2000-01-01T00:00:00.0000000Z' WHERE username = 'alice';");
        Assert.Equal(HttpStatusCode.Redirect, (await attacker.SignInAsync("alice")).StatusCode);
        Assert.Equal(0, app.Corpus.Scalar("SELECT failed_signins FROM users WHERE username = 'alice';"));
    }

    [Fact]
    public void Lockout_DoublesPastTheThreshold_UpToTheCeiling()
    {
        var policy = new LockoutPolicy(5, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(60));
        Assert.Equal(TimeSpan.Zero, policy.LockoutFor(4));
        Assert.Equal(TimeSpan.FromMinutes(1), policy.LockoutFor(5));
        Assert.Equal(TimeSpan.FromMinutes(4), policy.LockoutFor(7));
        Assert.Equal(TimeSpan.FromMinutes(60), policy.LockoutFor(250));
    }

    [Fact]
    public async Task SignIn_PerAddressAndPerUserLimits_Answer429()
    {
        await using (SecurityApp app = await SecurityApp.StartAsync(o => o.SignInsPerAddressPerMinute = 4))
        {
            using WebClient client = app.Client();
            var statuses = new List<HttpStatusCode>();
            for (int i = 0; i < 6; i++)
            {
                statuses.Add((await client.SignInAsync("user" + i, "wrong-password-x")).StatusCode);
            }

            Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 4), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        }

        await using (SecurityApp app = await SecurityApp.StartAsync(o => o.SignInsPerUserPerMinute = 3))
        {
            using WebClient client = app.Client();
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.SignInAsync("nobody", "wrong-password-x")).StatusCode);
            }

            Assert.Equal(HttpStatusCode.TooManyRequests, (await client.SignInAsync("NOBODY", "wrong-password-x")).StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync("alice")).StatusCode);
        }
    }

    [Fact]
    public async Task Search_PerClerkRateLimit_Answers429AndIsAudited()
    {
        await using SecurityApp app = await SecurityApp.StartAsync(o =>
        {
            o.SearchBurst = 3;
            o.SearchesPerMinute = 1;
        });
        using WebClient alice = await app.SignedInAsync("alice");
        string id = (await alice.NextAsync())!.Value.GetProperty("documentId").GetString()!;
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 5; i++)
        {
            statuses.Add((await alice.SearchAsync(new { nhsNumber = "9434765919", documentId = id })).Status);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(2, app.Corpus.Scalar("SELECT count(*) FROM audit WHERE username = 'alice' AND action = 'throttled';"));

        // Another clerk has a bucket of her own.
        using WebClient bob = await app.SignedInAsync("bob");
        string bobs = (await bob.NextAsync())!.Value.GetProperty("documentId").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await bob.SearchAsync(new { nhsNumber = "9434765919", documentId = bobs })).Status);
    }

    [Fact]
    public async Task Search_NeedsEnoughToIdentifyAndALease()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient alice = await app.SignedInAsync("alice");

        // Without a document in hand there is nothing to search for.
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.SearchAsync(new { familyName = "MACKENZIE", dateOfBirth = "13/06/1940" })).Status);
        string id = (await alice.NextAsync())!.Value.GetProperty("documentId").GetString()!;
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.SearchAsync(new { familyName = "M", dateOfBirth = "13/06/1940", documentId = id })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.SearchAsync(new { familyName = "MACKENZIE", documentId = id })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.SearchAsync(new { nhsNumber = "943", documentId = id })).Status);
        (HttpStatusCode status, JsonElement body) = await alice.SearchAsync(new { familyName = "MA", dateOfBirth = "13/06/1940", documentId = id });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body.GetProperty("patients").GetArrayLength());
    }

    [Fact]
    public async Task Search_AVeryLongName_Is400AndAudited()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient alice = await app.SignedInAsync("alice");
        string id = (await alice.NextAsync())!.Value.GetProperty("documentId").GetString()!;
        (HttpStatusCode status, _) = await alice.SearchAsync(new { familyName = new string('A', 60_000), dateOfBirth = "13/06/1940", documentId = id });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(1, app.Corpus.Scalar("SELECT count(*) FROM audit WHERE username = 'alice' AND action = 'search_refused';"));
    }

    [Fact]
    public async Task Dashboard_FlagsAnUnusualSearchVolume()
    {
        await using SecurityApp app = await SecurityApp.StartAsync(o => o.SearchAlertPerDay = 40);
        var rows = new List<AuditEntry>();
        rows.AddRange(Enumerable.Range(0, 45).Select(_ => new AuditEntry(0, default, "alice", "search_patients", null, null, "by nhs_number: 1 found")));
        rows.AddRange(Enumerable.Range(0, 4).Select(_ => new AuditEntry(0, default, "bob", "search_patients", null, null, "by nhs_number: 1 found")));
        await app.Store.AppendAuditAsync(rows, CancellationToken.None);

        using WebClient carol = await app.SignedInAsync("carol");
        using JsonDocument volumes = JsonDocument.Parse(await (await carol.GetAsync("/api/dashboard/searches")).Content.ReadAsStringAsync());
        JsonElement alice = volumes.RootElement.EnumerateArray().Single(v => v.GetProperty("userName").GetString() == "alice");
        JsonElement bob = volumes.RootElement.EnumerateArray().Single(v => v.GetProperty("userName").GetString() == "bob");
        Assert.Equal(45, alice.GetProperty("searches").GetInt64());
        Assert.True(alice.GetProperty("unusual").GetBoolean());
        Assert.False(bob.GetProperty("unusual").GetBoolean());
        string page = await (await carol.GetAsync("/dashboard")).Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"search-unusual\"", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1234567890", "at least 12")]
    [InlineData("123456789012", "common")]
    [InlineData("Password1234", "common")]
    [InlineData("qwertyuiopas", "common")]
    [InlineData("aaaabbbbaaaa", "5 different")]
    [InlineData("alice-at-the-ward", "user name")]
    public async Task Password_WeakOrCommon_IsRefused(string password, string why)
    {
        await using TestCorpus corpus = await TestCorpus.CreateAsync(flagged: 1, autoFiled: 0);
        var passwords = new UserPasswords(new Data.Sqlite.SqliteVerificationStore(corpus.DatabasePath));
        ArgumentException refused = await Assert.ThrowsAsync<ArgumentException>(() => passwords.SaveAsync("alice", password, Roles.Clerk, "test", CancellationToken.None));
        Assert.Contains(why, refused.Message, StringComparison.Ordinal);
        Assert.True(await passwords.SaveAsync("alice", "tulip-ledger-orbit-42", Roles.Clerk, "test", CancellationToken.None));
    }
}
