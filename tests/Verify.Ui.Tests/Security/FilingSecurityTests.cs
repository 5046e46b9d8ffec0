using System.Net;
using System.Text.Json;

namespace Digitise.Verify.Ui.Tests.Security;

/// <summary>Issue 10, finding 3 (high): nothing is filed on one person's word, and QA verdicts are recorded as what they are.</summary>
public sealed class FilingSecurityTests
{
    [Fact]
    public async Task QaSample_OneClerkCannotRefileToAnotherPatient_ASecondIndependentClerkMust()
    {
        await using SecurityApp app = await SecurityApp.StartAsync(o => o.QaShare = 1, flagged: 0, autoFiled: 3);
        using WebClient alice = await app.SignedInAsync("alice");
        using WebClient bob = await app.SignedInAsync("bob");
        JsonElement qa = await NextQaSampleAsync(alice);
        string id = qa.GetProperty("documentId").GetString()!;
        string autoFiledTo = app.Corpus.Text($"SELECT patient_id FROM documents WHERE document_id = '{id}';")!;
        string other = autoFiledTo == "P000003" ? "P000004" : "P000003";
        string otherNhs = other == "P000003" ? "9876543210" : "3262723444";

        // A patient nobody proposed and alice never searched for is refused outright, and the attempt audited.
        (HttpStatusCode status, _) = await alice.DecideAsync(id, "file", other);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(1, app.Corpus.Scalar($"SELECT count(*) FROM audit WHERE action = 'decision_refused' AND document_id = '{id}' AND username = 'alice';"));

        // Found by her own search in this lease: recorded as a proposal only. Still auto-filed, no decision, no QA verdict.
        Assert.Equal(HttpStatusCode.OK, (await alice.SearchAsync(new { nhsNumber = otherNhs, documentId = id })).Status);
        (status, JsonElement body) = await alice.DecideAsync(id, "file", other);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("awaiting_second_confirmation", body.GetProperty("outcome").GetString());
        Assert.Equal("auto_filed", app.Corpus.Text($"SELECT status FROM documents WHERE document_id = '{id}';"));
        Assert.Equal(autoFiledTo, app.Corpus.Text($"SELECT patient_id FROM documents WHERE document_id = '{id}';"));
        Assert.Equal(0, app.Corpus.Scalar($"SELECT count(*) FROM decisions WHERE document_id = '{id}' AND actor LIKE 'user:%';"));
        Assert.Equal(0, app.Corpus.Scalar("SELECT count(*) FROM qa_reviews WHERE verdict = 'misfiled';"));
        Assert.Equal(1, app.Corpus.Scalar($"SELECT count(*) FROM audit WHERE action = 'qa_refile_proposed' AND document_id = '{id}';"));

        // Alice never gets it back; bob gets it first (it waits for him), and must find the patient himself.
        Assert.NotEqual(id, (await alice.NextAsync())?.GetProperty("documentId").GetString());
        JsonElement forBob = (await bob.NextAsync())!.Value;
        Assert.Equal(id, forBob.GetProperty("documentId").GetString());
        Assert.True(forBob.GetProperty("awaitingSecondConfirmation").GetBoolean());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await bob.DecideAsync(id, "file", other)).Status);
        Assert.Equal(HttpStatusCode.OK, (await bob.SearchAsync(new { nhsNumber = otherNhs, documentId = id })).Status);
        (status, body) = await bob.DecideAsync(id, "file", other);
        Assert.Equal("recorded", body.GetProperty("outcome").GetString());

        Assert.Equal("filed", app.Corpus.Text($"SELECT status FROM documents WHERE document_id = '{id}';"));
        Assert.Equal(other, app.Corpus.Text($"SELECT patient_id FROM documents WHERE document_id = '{id}';"));
        Assert.Equal("misfiled", app.Corpus.Text($"SELECT verdict FROM qa_reviews WHERE document_id = '{id}';"));
        Assert.Contains("second independent confirmation (first by user:alice)",
            app.Corpus.Text($"SELECT reason FROM decisions WHERE document_id = '{id}' AND actor = 'user:bob';"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task QaSample_ConfirmingTheAutoFiledPatient_IsOneClerksWordAndCountsAsCorrect()
    {
        await using SecurityApp app = await SecurityApp.StartAsync(o => o.QaShare = 1, flagged: 0, autoFiled: 2);
        using WebClient alice = await app.SignedInAsync("alice");
        JsonElement qa = await NextQaSampleAsync(alice);
        string id = qa.GetProperty("documentId").GetString()!;
        (_, JsonElement body) = await alice.DecideAsync(id, "file", qa.GetProperty("autoFiledPatientId").GetString());
        Assert.Equal("recorded", body.GetProperty("outcome").GetString());
        Assert.Equal("correct", app.Corpus.Text($"SELECT verdict FROM qa_reviews WHERE document_id = '{id}';"));
    }

    [Fact]
    public async Task Unmatched_FiledToASearchResult_NeedsASecondClerkAndSaysIndexSearch()
    {
        await using SecurityApp app = await SecurityApp.StartAsync(o => o.QaShare = 0, flagged: 0, autoFiled: 0);
        using WebClient alice = await app.SignedInAsync("alice");
        using WebClient bob = await app.SignedInAsync("bob");
        JsonElement doc = (await alice.NextAsync())!.Value;
        string id = doc.GetProperty("documentId").GetString()!;
        Assert.Equal(0, doc.GetProperty("candidates").GetArrayLength());

        // No candidates and no search: an arbitrary patient is refused (it used to be filed as "chosen by index search").
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await alice.DecideAsync(id, "file", "P000005")).Status);
        Assert.Equal(HttpStatusCode.OK, (await alice.SearchAsync(new { familyName = "SM", dateOfBirth = "30/11/1961", documentId = id })).Status);
        Assert.Equal("awaiting_second_confirmation", (await alice.DecideAsync(id, "file", "P000005")).Body.GetProperty("outcome").GetString());

        JsonElement forBob = (await bob.NextAsync())!.Value;
        Assert.Equal(id, forBob.GetProperty("documentId").GetString());
        Assert.Equal(HttpStatusCode.OK, (await bob.SearchAsync(new { hospitalNumber = "RXH5550001", documentId = id })).Status);
        Assert.Equal("recorded", (await bob.DecideAsync(id, "file", "P000005")).Body.GetProperty("outcome").GetString());
        Assert.Equal("filed: patient chosen by index search: second independent confirmation (first by user:alice)",
            app.Corpus.Text($"SELECT reason FROM decisions WHERE document_id = '{id}' AND actor = 'user:bob';"));
    }

    [Fact]
    public async Task Candidate_FiledByOneClerk_SaysWhichCandidate()
    {
        await using SecurityApp app = await SecurityApp.StartAsync(o => o.QaShare = 0, flagged: 3, autoFiled: 0);
        using WebClient alice = await app.SignedInAsync("alice");
        JsonElement doc = (await alice.NextAsync())!.Value;
        while (doc.GetProperty("highRisk").GetBoolean())
        {
            await alice.DecideAsync(doc.GetProperty("documentId").GetString()!, "skip");
            doc = (await alice.NextAsync())!.Value;
        }

        string id = doc.GetProperty("documentId").GetString()!;
        string top = doc.GetProperty("candidates")[0].GetProperty("patientId").GetString()!;
        Assert.Equal("recorded", (await alice.DecideAsync(id, "file", top)).Body.GetProperty("outcome").GetString());
        Assert.Equal("filed: confirmed candidate 1", app.Corpus.Text($"SELECT reason FROM decisions WHERE document_id = '{id}' AND actor = 'user:alice';"));
    }

    [Fact]
    public async Task SearchResults_AreBoundToTheLease_NotReusableAfterRelease()
    {
        await using SecurityApp app = await SecurityApp.StartAsync(o => o.QaShare = 0, flagged: 0, autoFiled: 0);
        using WebClient alice = await app.SignedInAsync("alice");
        string id = (await alice.NextAsync())!.Value.GetProperty("documentId").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await alice.SearchAsync(new { nhsNumber = "9876543210", documentId = id })).Status);
        Assert.Equal(1, app.Corpus.Scalar($"SELECT count(*) FROM lease_search_results WHERE document_id = '{id}';"));
        Assert.Equal(HttpStatusCode.NoContent, (await alice.PostJsonAsync($"/api/documents/{id}/release", new { })).StatusCode);
        Assert.Equal(0, app.Corpus.Scalar($"SELECT count(*) FROM lease_search_results WHERE document_id = '{id}';"));
        Assert.Equal(1, app.Corpus.Scalar($"SELECT count(*) FROM audit WHERE action = 'release' AND document_id = '{id}' AND username = 'alice';"));
    }

    [Fact]
    public async Task Queue_DocumentAwaitingSecondConfirmation_GoesOnlyToOthers_AndUnmatchedAreStillReached()
    {
        await using SecurityApp app = await SecurityApp.StartAsync(o => o.QaShare = 0, flagged: 3, autoFiled: 0, highRiskFirst: true);
        using WebClient alice = await app.SignedInAsync("alice");
        using WebClient bob = await app.SignedInAsync("bob");
        JsonElement risky = (await alice.NextAsync())!.Value;
        string id = risky.GetProperty("documentId").GetString()!;
        Assert.True(risky.GetProperty("highRisk").GetBoolean());
        string top = risky.GetProperty("candidates")[0].GetProperty("patientId").GetString()!;
        Assert.Equal("awaiting_second_confirmation", (await alice.DecideAsync(id, "file", top)).Body.GetProperty("outcome").GetString());

        // Bob gets it next; he skips it (unsure). Working on, he reaches the unmatched documents before it comes back.
        Assert.Equal(id, (await bob.NextAsync())!.Value.GetProperty("documentId").GetString());
        Assert.Equal("skipped", (await bob.DecideAsync(id, "skip")).Body.GetProperty("outcome").GetString());
        var seen = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            JsonElement next = (await bob.NextAsync())!.Value;
            string nextId = next.GetProperty("documentId").GetString()!;
            seen.Add(next.GetProperty("status").GetString()!);
            if (nextId == id)
            {
                break;
            }

            Assert.Equal("skipped", (await bob.DecideAsync(nextId, "skip")).Body.GetProperty("outcome").GetString());
        }

        Assert.Contains("unmatched", seen);

        // Alice, who gave the first confirmation, never gets it back however often she asks.
        for (int i = 0; i < 6; i++)
        {
            JsonElement? next = await alice.NextAsync();
            string? nextId = next?.GetProperty("documentId").GetString();
            Assert.NotEqual(id, nextId);
            if (nextId is null)
            {
                break;
            }

            await alice.DecideAsync(nextId, "skip");
        }
    }

    private static async Task<JsonElement> NextQaSampleAsync(WebClient clerk)
    {
        // The unmatched documents come first; mark them not on the index to reach the QA samples.
        for (int i = 0; i < 10; i++)
        {
            JsonElement doc = (await clerk.NextAsync())!.Value;
            if (doc.GetProperty("kind").GetString() == "qa_sample")
            {
                return doc;
            }

            Assert.Equal("recorded", (await clerk.DecideAsync(doc.GetProperty("documentId").GetString()!, "not_on_index")).Body.GetProperty("outcome").GetString());
        }

        throw new InvalidOperationException("No QA sample reached.");
    }
}
