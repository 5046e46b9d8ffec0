using Digitise.Data.Sqlite;
using Digitise.Storage;
using Microsoft.Data.Sqlite;

namespace Digitise.Verify.Ui.Tests;

public sealed class SqliteVerificationStoreTests
{
    private static readonly QueuePolicy Policy = new(TimeSpan.FromMinutes(10), 0);

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task LeaseNext_TwoClerksAtOnce_NeverGetTheSameDocument()
    {
        await using TestCorpus corpus = await TestCorpus.CreateAsync(flagged: 20);
        var store = new SqliteVerificationStore(corpus.DatabasePath);
        var leases = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => store.LeaseNextAsync($"clerk{i}", Policy, Ct)));
        Assert.All(leases, l => Assert.NotNull(l));
        Assert.Equal(16, leases.Select(l => l!.DocumentId).Distinct().Count());

        // Asking again returns the document already held, not a second one.
        Lease? again = await store.LeaseNextAsync("clerk0", Policy, Ct);
        Assert.Equal(leases[0]!.DocumentId, again!.DocumentId);
    }

    [Fact]
    public async Task LeaseNext_AbandonedLease_ExpiresAndGoesToAnotherClerk()
    {
        var time = new ManualTime(DateTimeOffset.Parse("2025-03-01T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using TestCorpus corpus = await TestCorpus.CreateAsync(flagged: 1, autoFiled: 0, time: time);
        await using (SqliteDigitiseStore s = await SqliteDigitiseStore.OpenAsync(corpus.DatabasePath, Ct))
        {
        }

        var store = new SqliteVerificationStore(corpus.DatabasePath, time);
        Lease? first = await store.LeaseNextAsync("alice", Policy, Ct);
        Lease? firstUnmatched = await store.LeaseNextAsync("bob", Policy, Ct);
        Assert.NotEqual(first!.DocumentId, firstUnmatched!.DocumentId);
        Assert.NotNull(await store.LeaseNextAsync("carol", Policy, Ct)); // the second unmatched document
        Assert.Null(await store.LeaseNextAsync("dave", Policy, Ct));

        time.Now += TimeSpan.FromMinutes(11);
        Lease? taken = await store.LeaseNextAsync("dave", Policy, Ct);
        Assert.Equal(first.DocumentId, taken!.DocumentId);
        Assert.Equal(DecisionOutcome.LeaseLost, await store.DecideAsync("alice", new ClerkDecision(first.DocumentId, ClerkAction.NotOnIndex, null, false), Ct));
    }

    [Fact]
    public async Task Decide_File_AppendsTrainingLabelAndFilesDocument()
    {
        await using TestCorpus corpus = await TestCorpus.CreateAsync(flagged: 2, autoFiled: 0);
        var store = new SqliteVerificationStore(corpus.DatabasePath);
        Lease lease = (await store.LeaseNextAsync("alice", Policy, Ct))!;
        VerificationDocument document = (await store.GetDocumentAsync(lease.DocumentId, Ct))!;
        string patient = document.Candidates[0].PatientId;

        Assert.Equal(DecisionOutcome.Recorded, await store.DecideAsync("alice", new ClerkDecision(lease.DocumentId, ClerkAction.File, patient, false), Ct));

        Assert.Equal("filed", corpus.Text($"SELECT status FROM documents WHERE document_id = '{lease.DocumentId}';"));
        Assert.Equal(patient, corpus.Text($"SELECT patient_id FROM documents WHERE document_id = '{lease.DocumentId}';"));
        Assert.Equal(1, corpus.Scalar($"SELECT count(*) FROM decisions WHERE document_id = '{lease.DocumentId}' AND actor = 'user:alice' AND status = 'filed' AND patient_id = '{patient}';"));
        Assert.Equal(1, corpus.Scalar($"SELECT count(*) FROM audit WHERE document_id = '{lease.DocumentId}' AND username = 'alice' AND action = 'decision';"));
    }

    [Fact]
    public async Task Decide_Skip_IsAuditedButNotADecision()
    {
        await using TestCorpus corpus = await TestCorpus.CreateAsync(flagged: 2, autoFiled: 0);
        var store = new SqliteVerificationStore(corpus.DatabasePath);
        Lease lease = (await store.LeaseNextAsync("alice", Policy, Ct))!;
        Assert.Equal(DecisionOutcome.Skipped, await store.DecideAsync("alice", new ClerkDecision(lease.DocumentId, ClerkAction.Skip, null, false), Ct));
        Assert.Equal(0, corpus.Scalar("SELECT count(*) FROM decisions WHERE actor LIKE 'user:%';"));
        Assert.Equal(1, corpus.Scalar("SELECT count(*) FROM audit WHERE action = 'skip';"));
        Assert.NotEqual(lease.DocumentId, (await store.LeaseNextAsync("alice", Policy, Ct))!.DocumentId);
    }

    [Fact]
    public async Task Decide_HighRisk_NeedsASecondIndependentConfirmation()
    {
        await using TestCorpus corpus = await TestCorpus.CreateAsync(flagged: 1, autoFiled: 0);
        var store = new SqliteVerificationStore(corpus.DatabasePath);
        Lease lease = (await store.LeaseNextAsync("alice", Policy, Ct))!;
        string patient = (await store.GetDocumentAsync(lease.DocumentId, Ct))!.Candidates[0].PatientId;
        var decision = new ClerkDecision(lease.DocumentId, ClerkAction.File, patient, SecondConfirmationRequired: true);

        Assert.Equal(DecisionOutcome.AwaitingSecondConfirmation, await store.DecideAsync("alice", decision, Ct));
        Assert.Equal("needs_verification", corpus.Text($"SELECT status FROM documents WHERE document_id = '{lease.DocumentId}';"));
        Assert.Equal(0, corpus.Scalar("SELECT count(*) FROM decisions WHERE actor LIKE 'user:%';"));

        // The same clerk never gets it back for the second look; another clerk does.
        Lease? aliceNext = await store.LeaseNextAsync("alice", Policy, Ct);
        Assert.NotEqual(lease.DocumentId, aliceNext?.DocumentId);
        Lease bob = (await store.LeaseNextAsync("bob", Policy, Ct))!;
        Assert.Equal(lease.DocumentId, bob.DocumentId);
        Assert.True(bob.AwaitingSecondConfirmation);
        Assert.Equal(DecisionOutcome.Recorded, await store.DecideAsync("bob", decision, Ct));
        Assert.Equal("filed", corpus.Text($"SELECT status FROM documents WHERE document_id = '{lease.DocumentId}';"));
        Assert.Equal(1, corpus.Scalar("SELECT count(*) FROM decisions WHERE actor = 'user:bob' AND status = 'filed';"));
    }

    [Fact]
    public async Task Decide_HighRiskDisagreement_KeepsDocumentInQueue()
    {
        await using TestCorpus corpus = await TestCorpus.CreateAsync(flagged: 1, autoFiled: 0);
        var store = new SqliteVerificationStore(corpus.DatabasePath);
        Lease lease = (await store.LeaseNextAsync("alice", Policy, Ct))!;
        string patient = (await store.GetDocumentAsync(lease.DocumentId, Ct))!.Candidates[0].PatientId;
        await store.DecideAsync("alice", new ClerkDecision(lease.DocumentId, ClerkAction.File, patient, true), Ct);
        await store.LeaseNextAsync("bob", Policy, Ct);
        Assert.Equal(DecisionOutcome.Disagreement, await store.DecideAsync("bob", new ClerkDecision(lease.DocumentId, ClerkAction.NotOnIndex, null, true), Ct));
        Assert.Equal("needs_verification", corpus.Text($"SELECT status FROM documents WHERE document_id = '{lease.DocumentId}';"));
    }

    [Fact]
    public async Task Audit_UpdateOrDelete_IsRejected()
    {
        await using TestCorpus corpus = await TestCorpus.CreateAsync(flagged: 1, autoFiled: 0);
        var store = new SqliteVerificationStore(corpus.DatabasePath);
        await store.AppendAuditAsync("alice", "view_document", "d1", null, string.Empty, Ct);
        using SqliteConnection raw = corpus.OpenRaw();
        using SqliteCommand update = raw.CreateCommand();
        update.CommandText = "UPDATE audit SET username = 'mallory';";
        Assert.Contains("append-only", Assert.Throws<SqliteException>(() => update.ExecuteNonQuery()).Message, StringComparison.Ordinal);
        using SqliteCommand delete = raw.CreateCommand();
        delete.CommandText = "DELETE FROM audit;";
        Assert.Contains("append-only", Assert.Throws<SqliteException>(() => delete.ExecuteNonQuery()).Message, StringComparison.Ordinal);
        Assert.Equal(1, corpus.Scalar("SELECT count(*) FROM audit WHERE username = 'alice';"));
    }

    [Fact]
    public async Task LeaseNext_QaShare_SamplesAutoFiledDocumentsAfterTheQueue()
    {
        await using TestCorpus corpus = await TestCorpus.CreateAsync(flagged: 0, autoFiled: 30);
        var store = new SqliteVerificationStore(corpus.DatabasePath);
        var qa = new QueuePolicy(TimeSpan.FromMinutes(10), 1.0);
        Assert.Equal(WorkKind.Verify, (await store.LeaseNextAsync("a", qa, Ct))!.Kind); // the unmatched ones first
        Assert.Equal(WorkKind.Verify, (await store.LeaseNextAsync("b", qa, Ct))!.Kind);
        Lease sample = (await store.LeaseNextAsync("c", qa, Ct))!;
        Assert.Equal(WorkKind.QaSample, sample.Kind);
        VerificationDocument document = (await store.GetDocumentAsync(sample.DocumentId, Ct))!;
        Assert.Equal(DecisionOutcome.Recorded, await store.DecideAsync("c", new ClerkDecision(sample.DocumentId, ClerkAction.File, document.PatientId, false), Ct));
        DashboardSnapshot snapshot = await store.GetDashboardAsync(1.0, Ct);
        Assert.Equal(1, snapshot.QaReviewed);
        Assert.Equal(0, snapshot.QaMisfiled);
        Assert.Equal("auto_filed", corpus.Text($"SELECT status FROM documents WHERE document_id = '{sample.DocumentId}';"));
    }

    [Theory]
    [InlineData(0, 100, 0.0, 0.0370)]
    [InlineData(5, 100, 0.0215, 0.1118)]
    [InlineData(50, 100, 0.4038, 0.5962)]
    public void Wilson_KnownValues_Match(long misfiled, long reviewed, double lower, double upper)
    {
        (double l, double u) = Statistics.Wilson(misfiled, reviewed);
        Assert.Equal(lower, l, 3);
        Assert.Equal(upper, u, 3);
    }

    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
