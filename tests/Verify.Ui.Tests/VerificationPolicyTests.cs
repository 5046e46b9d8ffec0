using Digitise.Data.Sqlite;
using Digitise.Domain;
using Digitise.Storage;
using Digitise.Verify.Ui.Api;

namespace Digitise.Verify.Ui.Tests;

/// <summary>The second-confirmation rule reads the matcher's typed risk flags, never the reason text.</summary>
public sealed class VerificationPolicyTests
{
    private static readonly VerificationPolicy Policy = new(new VerifyOptions { DatabasePath = "unused.db" });

    public static TheoryData<MatchRisk> EveryRisk => [.. MatchRisks.All];

    [Theory]
    [MemberData(nameof(EveryRisk))]
    public void RequiresSecondConfirmation_AnyRiskFlag_IsTrueWhateverTheReason(MatchRisk risk)
    {
        VerificationDocument document = Document("no corroborating demographic", risk);

        Assert.True(VerificationPolicy.IsHighRisk(document));
        Assert.True(Policy.RequiresSecondConfirmation(document, WorkKind.Verify));
        Assert.False(Policy.RequiresSecondConfirmation(document, WorkKind.QaSample));
    }

    [Theory]
    [InlineData("rival within margin")]
    [InlineData("rival candidate within margin; corrected nhs_number; nhs_number contradicts; clash")]
    public void RequiresSecondConfirmation_RiskyWordsWithoutFlags_IsFalse(string reason)
    {
        Assert.False(Policy.RequiresSecondConfirmation(Document(reason, MatchRisk.None), WorkKind.Verify));
    }

    [Fact]
    public void RequiresSecondConfirmation_SwitchedOff_IsFalse()
    {
        var policy = new VerificationPolicy(new VerifyOptions { DatabasePath = "unused.db", SecondConfirmation = false });
        Assert.False(policy.RequiresSecondConfirmation(Document("", MatchRisk.RivalWithinMargin), WorkKind.Verify));
    }

    [Fact]
    public void ToDto_Risks_ListedForTheClerkWithLabels()
    {
        DocumentDto dto = Policy.ToDto(
            Document("rival within margin", MatchRisk.RivalWithinMargin | MatchRisk.CorrectedNhsNumber),
            new Lease("d1", WorkKind.Verify, DateTimeOffset.UnixEpoch, false),
            1);

        Assert.True(dto.HighRisk);
        Assert.True(dto.SecondConfirmationRequired);
        Assert.Equal(["corrected_nhs_number", "rival_within_margin"], dto.Risks.Select(r => r.Code));
        Assert.Equal(["corrected NHS number", "rival within margin"], dto.Risks.Select(r => r.Label));
    }

    [Fact]
    public async Task GetDocument_SavedWithTheLiveMatchersRivalWording_NeedsSecondConfirmation()
    {
        // The bug this replaces: the live matcher writes "rival within margin", the configured phrase was "rival candidate
        // within margin", so near-rival documents got one confirmation. Now the flag travels through the database.
        await using TestCorpus corpus = await TestCorpus.CreateAsync(flagged: 1, autoFiled: 0, highRiskFirst: true);
        var store = new SqliteVerificationStore(corpus.DatabasePath);
        string id = corpus.Text("SELECT document_id FROM documents WHERE status = 'needs_verification';")!;
        VerificationDocument document = (await store.GetDocumentAsync(id, CancellationToken.None))!;

        Assert.Equal("rival within margin", document.Reason);
        Assert.True(Policy.RequiresSecondConfirmation(document, WorkKind.Verify));
    }

    private static VerificationDocument Document(string reason, MatchRisk risks) =>
        new("d1", "sha", 1, 1, 1, DocumentStatus.NeedsVerification, "P1", 0.9, reason, risks, "fs-0", DateTimeOffset.UnixEpoch, [], [], []);
}
