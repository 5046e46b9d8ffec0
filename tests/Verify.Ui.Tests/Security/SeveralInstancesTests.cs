using System.Net;
using System.Text.Json;
using Digitise.Storage;
using Digitise.Testing;

namespace Digitise.Verify.Ui.Tests.Security;

/// <summary>
/// Issue 12: the web app as several instances (several servers) on one PostgreSQL database. Clerks on different instances
/// share one queue without double leases, and a session is one session everywhere: valid on every instance while it lives,
/// refused by every instance once signed out on any.
/// </summary>
public sealed class SeveralInstancesTests
{
    [PostgresFact]
    public async Task TwoInstancesOnOnePostgres_NeverServeAnotherClerksLease_AndHonourASignOutEverywhere()
    {
        await using TestCorpus corpus = await TestCorpus.CreateAsync(flagged: 4, autoFiled: 0, database: TestDatabase.Postgres);
        await corpus.AddUserAsync("alice", Roles.Clerk);
        await corpus.AddUserAsync("bob", Roles.Clerk);
        await using SecurityApp first = await SecurityApp.StartAsync(corpus: corpus);
        await using SecurityApp second = await SecurityApp.StartAsync(corpus: corpus);

        using WebClient alice = await first.SignedInAsync("alice");
        string held = Id(await alice.NextAsync());

        // Bob, on the other instance, works through the whole queue: he is never served Alice's document.
        using WebClient bob = await second.SignedInAsync("bob");
        var served = new List<string>();
        while (await bob.NextAsync() is { } next)
        {
            served.Add(Id(next));
            Assert.Equal(HttpStatusCode.OK, (await bob.DecideAsync(Id(next), "not_on_index")).Status);
            Assert.True(served.Count <= 10, "the queue does not drain");
        }

        Assert.Equal(5, served.Count);
        Assert.DoesNotContain(held, served);
        Assert.Equal(HttpStatusCode.Conflict, (await bob.DecideAsync(held, "not_on_index")).Status);
        Assert.Equal("needs_verification", corpus.Text($"SELECT status FROM documents WHERE document_id = '{held}';"));

        // Alice's session is hers on the second instance too (one key ring, one sessions table): the same lease comes back...
        using WebClient aliceOnSecond = WebClient.WithSessionCookie(second.BaseUrl, alice.SessionCookie!);
        Assert.Equal(held, Id(await aliceOnSecond.NextAsync()));

        // ...until she signs out on the first: then the second refuses the same cookie.
        Assert.Equal(HttpStatusCode.Redirect, (await alice.PostFormAsync("/signout", "/verify")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await aliceOnSecond.GetAsync("/api/queue/next")).StatusCode);
        Assert.Equal(1, corpus.Scalar("SELECT count(*) FROM sessions WHERE username = 'alice' AND revoked_reason = 'signed_out';"));
    }

    private static string Id(JsonElement? document) => document!.Value.GetProperty("documentId").GetString()!;
}
