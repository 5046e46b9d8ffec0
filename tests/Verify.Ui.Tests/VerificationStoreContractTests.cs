using System.Data.Common;
using System.Globalization;
using Digitise.Data.Sqlite;
using Digitise.Domain;
using Digitise.Storage;

namespace Digitise.Verify.Ui.Tests;

/// <summary>
/// The verification store's contract (queue and leases, decisions, audit, sessions, lockout, key ring, read models), run
/// against every provider: <see cref="SqliteVerificationStoreTests"/> and <see cref="PostgresVerificationStoreTests"/>.
/// Where a test opens two stores on one database, they stand for two web instances (two processes, or two servers).
/// </summary>
public abstract class VerificationStoreContractTests
{
    private static readonly QueuePolicy Policy = new(TimeSpan.FromMinutes(10), 0);

    private protected abstract TestDatabase Database { get; }

    private static CancellationToken Ct => CancellationToken.None;

    private Task<TestCorpus> CorpusAsync(int flagged = 6, int autoFiled = 20, TimeProvider? time = null) =>
        TestCorpus.CreateAsync(flagged, autoFiled, time: time, database: Database);

    [Fact]
    public async Task LeaseNext_TwoClerksAtOnce_NeverGetTheSameDocument()
    {
        await using TestCorpus corpus = await CorpusAsync(flagged: 20);
        var store = corpus.OpenStore();
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
        var time = new ManualTime(DateTimeOffset.Parse("2025-03-01T09:00:00Z", CultureInfo.InvariantCulture));
        await using TestCorpus corpus = await CorpusAsync(flagged: 1, autoFiled: 0, time: time);
        var store = corpus.OpenStore(time);
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
        await using TestCorpus corpus = await CorpusAsync(flagged: 2, autoFiled: 0);
        var store = corpus.OpenStore();
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
        await using TestCorpus corpus = await CorpusAsync(flagged: 2, autoFiled: 0);
        var store = corpus.OpenStore();
        Lease lease = (await store.LeaseNextAsync("alice", Policy, Ct))!;
        Assert.Equal(DecisionOutcome.Skipped, await store.DecideAsync("alice", new ClerkDecision(lease.DocumentId, ClerkAction.Skip, null, false), Ct));
        Assert.Equal(0, corpus.Scalar("SELECT count(*) FROM decisions WHERE actor LIKE 'user:%';"));
        Assert.Equal(1, corpus.Scalar("SELECT count(*) FROM audit WHERE action = 'skip';"));
        Assert.NotEqual(lease.DocumentId, (await store.LeaseNextAsync("alice", Policy, Ct))!.DocumentId);
    }

    [Fact]
    public async Task Decide_HighRisk_NeedsASecondIndependentConfirmation()
    {
        await using TestCorpus corpus = await CorpusAsync(flagged: 1, autoFiled: 0);
        var store = corpus.OpenStore();
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
        await using TestCorpus corpus = await CorpusAsync(flagged: 1, autoFiled: 0);
        var store = corpus.OpenStore();
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
        await using TestCorpus corpus = await CorpusAsync(flagged: 1, autoFiled: 0);
        var store = corpus.OpenStore();
        await store.AppendAuditAsync("alice", "view_document", "d1", null, string.Empty, Ct);
        using DbConnection raw = corpus.OpenRaw();
        using DbCommand update = raw.CreateCommand();
        update.CommandText = "UPDATE audit SET username = 'mallory';";
        Assert.Contains("append-only", Assert.ThrowsAny<DbException>(() => update.ExecuteNonQuery()).Message, StringComparison.Ordinal);
        using DbCommand delete = raw.CreateCommand();
        delete.CommandText = "DELETE FROM audit;";
        Assert.Contains("append-only", Assert.ThrowsAny<DbException>(() => delete.ExecuteNonQuery()).Message, StringComparison.Ordinal);
        Assert.Equal(1, corpus.Scalar("SELECT count(*) FROM audit WHERE username = 'alice';"));
    }

    [Fact]
    public async Task LeaseNext_QaShare_SamplesAutoFiledDocumentsAfterTheQueue()
    {
        await using TestCorpus corpus = await CorpusAsync(flagged: 0, autoFiled: 30);
        var store = corpus.OpenStore();
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

    [Fact]
    public async Task LeaseNext_TwoInstancesAtOnce_NeverHandOutTheSameDocument()
    {
        await using TestCorpus corpus = await CorpusAsync(flagged: 20, autoFiled: 0);
        SqlVerificationStore first = corpus.OpenStore();
        SqlVerificationStore second = corpus.OpenStore();
        Lease?[] leases = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? first : second).LeaseNextAsync($"clerk{i}", Policy, Ct)));
        Assert.All(leases, l => Assert.NotNull(l));
        Assert.Equal(20, leases.Select(l => l!.DocumentId).Distinct().Count());

        // A lease taken through one instance is the holder's on the other too, and nobody else's.
        string held = leases[0]!.DocumentId;
        Assert.True(await second.HoldsLeaseAsync("clerk0", held, Ct));
        Assert.False(await second.HoldsLeaseAsync("clerk1", held, Ct));
        Assert.Equal(held, (await second.LeaseNextAsync("clerk0", Policy, Ct))!.DocumentId);
        Assert.Equal(DecisionOutcome.LeaseLost, await second.DecideAsync("clerk1", new ClerkDecision(held, ClerkAction.NotOnIndex, null, false), Ct));
    }

    [Fact]
    public async Task Sessions_SignedOutOrDisabledOnOneInstance_AreRefusedByTheOther()
    {
        await using TestCorpus corpus = await CorpusAsync(flagged: 1, autoFiled: 0);
        await corpus.AddUserAsync("alice", Roles.Clerk);
        await corpus.AddUserAsync("bob", Roles.Clerk);
        SqlVerificationStore first = corpus.OpenStore();
        SqlVerificationStore second = corpus.OpenStore();
        TimeSpan idle = TimeSpan.FromMinutes(30);
        Assert.True(await first.CreateSessionAsync("s-alice", "alice", TimeSpan.FromHours(8), Ct));
        Assert.True(await first.CreateSessionAsync("s-bob", "bob", TimeSpan.FromHours(8), Ct));

        SessionValidation valid = await second.ValidateSessionAsync("s-alice", idle, Ct);
        Assert.Equal((SessionCheck.Valid, "alice", Roles.Clerk), (valid.Result, valid.UserName, valid.Role));
        Assert.Equal(SessionCheck.Unknown, (await second.ValidateSessionAsync("s-forged", idle, Ct)).Result);

        Assert.True(await first.RevokeSessionAsync("s-alice", "signed_out", Ct));
        Assert.Equal(SessionCheck.Revoked, (await second.ValidateSessionAsync("s-alice", idle, Ct)).Result);
        Assert.False(await second.RevokeSessionAsync("s-alice", "signed_out", Ct));

        // Disabling on the other instance (the name in another case) ends bob's session and refuses new ones.
        Assert.True(await second.SetUserDisabledAsync("BOB", true, "dave", Ct));
        Assert.Equal(SessionCheck.Revoked, (await first.ValidateSessionAsync("s-bob", idle, Ct)).Result);
        Assert.False(await first.CreateSessionAsync("s-bob-2", "bob", TimeSpan.FromHours(8), Ct));
        Assert.False(await first.SetUserDisabledAsync("nobody", true, "dave", Ct));
    }

    [Fact]
    public async Task Users_NamesAreCaseInsensitive_AndAPasswordChangeEndsSessions()
    {
        await using TestCorpus corpus = await CorpusAsync(flagged: 1, autoFiled: 0);
        SqlVerificationStore store = corpus.OpenStore();
        Assert.True(await store.SaveUserAsync("Alice", "hash-1", Roles.Clerk, "test", Ct));
        Assert.Equal("Alice", (await store.FindUserAsync("alice", Ct))!.UserName);
        Assert.True(await store.CreateSessionAsync("s1", "ALICE", TimeSpan.FromHours(8), Ct));

        Assert.False(await store.SaveUserAsync("alice", "hash-2", Roles.Manager, "test", Ct));
        Assert.Equal(1, await store.CountUsersAsync(Ct));
        UserAccount account = (await store.FindUserAsync("ALICE", Ct))!;
        Assert.Equal(("hash-2", Roles.Manager), (account.PasswordHash, account.Role));
        Assert.Equal(SessionCheck.Revoked, (await store.ValidateSessionAsync("s1", TimeSpan.FromMinutes(30), Ct)).Result);
        Assert.Throws<ArgumentException>(() => store.SaveUserAsync("eve", "hash", "root", "test", Ct).GetAwaiter().GetResult());
        Assert.Equal(2, corpus.Scalar("SELECT count(*) FROM audit WHERE action IN ('user_added', 'user_updated');"));
    }

    [Fact]
    public async Task SignInFailures_PastTheThreshold_LockTheAccountUntilReset()
    {
        var time = new ManualTime(DateTimeOffset.Parse("2025-03-01T09:00:00Z", CultureInfo.InvariantCulture));
        await using TestCorpus corpus = await CorpusAsync(flagged: 1, autoFiled: 0, time: time);
        await corpus.AddUserAsync("alice", Roles.Clerk);
        SqlVerificationStore store = corpus.OpenStore(time);
        var policy = new LockoutPolicy(3, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(30));
        Assert.Null((await store.RecordSignInFailureAsync("alice", policy, Ct)).LockedUntilUtc);
        Assert.Null((await store.RecordSignInFailureAsync("alice", policy, Ct)).LockedUntilUtc);
        Assert.Equal(new SignInLockout(3, time.Now.AddMinutes(1)), await store.RecordSignInFailureAsync("ALICE", policy, Ct));
        Assert.Equal(new SignInLockout(4, time.Now.AddMinutes(2)), await store.RecordSignInFailureAsync("alice", policy, Ct));
        Assert.Equal(new SignInLockout(4, time.Now.AddMinutes(2)), await corpus.OpenStore(time).GetLockoutAsync("alice", Ct));
        Assert.Equal(new SignInLockout(0, null), await store.RecordSignInFailureAsync("nobody", policy, Ct));
        Assert.Equal(2, corpus.Scalar("SELECT count(*) FROM audit WHERE action = 'sign_in_locked';"));

        await store.ResetSignInFailuresAsync("alice", Ct);
        Assert.Equal(new SignInLockout(0, null), await store.GetLockoutAsync("alice", Ct));
    }

    [Fact]
    public async Task AuditChain_AppendsFromTwoInstancesAtOnce_StayOneChainThatRevealsAnEdit()
    {
        await using TestCorpus corpus = await CorpusAsync(flagged: 1, autoFiled: 0);
        SqlVerificationStore first = corpus.OpenStore();
        SqlVerificationStore second = corpus.OpenStore();
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            (i % 2 == 0 ? first : second).AppendAuditAsync($"clerk{i % 4}", "view_document", $"d{i}", null, string.Empty, Ct)));

        AuditChainReport report = await second.VerifyAuditChainAsync(Ct);
        Assert.True(report.Intact, report.Problem);
        Assert.Equal(40, report.Rows);
        IReadOnlyList<AuditEntry> newest = await first.ReadAuditAsync(5, Ct);
        Assert.Equal(5, newest.Count);
        Assert.True(newest.Zip(newest.Skip(1)).All(p => p.First.Id > p.Second.Id));

        long victim = newest[2].Id;
        corpus.Execute(DisableAuditTriggersSql + $"UPDATE audit SET username = 'nobody' WHERE id = {victim};");
        AuditChainReport broken = await first.VerifyAuditChainAsync(Ct);
        Assert.Equal(victim, broken.FirstBrokenId);
        Assert.Contains("edited", broken.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyRing_KeyStoredThroughOneInstance_IsReadByTheOther()
    {
        await using TestCorpus corpus = await CorpusAsync(flagged: 1, autoFiled: 0);
        SqlVerificationStore first = corpus.OpenStore();
        SqlVerificationStore second = corpus.OpenStore();
        first.StoreKey("key-1", "<key id=\"1\"/>");
        second.StoreKey("key-1", "<key id=\"replaced\"/>");
        second.StoreKey("key-2", "<key id=\"2\"/>");
        Assert.Equal(["<key id=\"1\"/>", "<key id=\"2\"/>"], first.ReadKeys());
    }

    [Fact]
    public async Task ReadModels_DashboardBatchesSearchAndVolumes_AgreeWithTheData()
    {
        var time = new ManualTime(DateTimeOffset.Parse("2025-03-01T09:00:00Z", CultureInfo.InvariantCulture));
        await using TestCorpus corpus = await CorpusAsync(flagged: 6, autoFiled: 20, time: time);
        SqlVerificationStore store = corpus.OpenStore(time);
        time.Now += TimeSpan.FromHours(2);
        Lease lease = (await store.LeaseNextAsync("alice", Policy, Ct))!;
        string patient = (await store.GetDocumentAsync(lease.DocumentId, Ct))!.Candidates[0].PatientId;
        Assert.Equal(DecisionOutcome.Recorded, await store.DecideAsync("alice", new ClerkDecision(lease.DocumentId, ClerkAction.File, patient, false), Ct));
        await store.AppendAuditAsync(
        [
            new AuditEntry(0, default, "alice", "search_patients", lease.DocumentId, null, "family_name"),
            new AuditEntry(0, default, "alice", "view_patient", lease.DocumentId, "P000001", "search result"),
            new AuditEntry(0, default, "alice", "view_patient", lease.DocumentId, "P000002", "search result"),
            new AuditEntry(0, default, "bob", "search_patients", null, null, "nhs_number"),
        ], Ct);

        DashboardSnapshot dashboard = await store.GetDashboardAsync(1.0, Ct);
        Assert.Equal(7, dashboard.QueueSize);
        Assert.Equal(2.0, dashboard.MeanQueueAgeHours, 3);
        Assert.Equal(time.Now.AddHours(-2), dashboard.OldestQueuedUtc);
        Assert.Equal((20L, 1L), (dashboard.DocumentsByStatus["auto_filed"], dashboard.DocumentsByStatus["filed"]));
        Assert.Equal(28, dashboard.Pages);
        ClerkThroughput clerk = Assert.Single(dashboard.Clerks);
        Assert.Equal(new ClerkThroughput("alice", 1, 1, 1, 0, 0), clerk);
        Assert.Equal(1, dashboard.DecisionsLast7Days);
        Assert.Equal(20, dashboard.QaSampled);
        Assert.Equal(0, (await store.GetDashboardAsync(0, Ct)).QaSampled);

        // Half the buckets: the auto-filed documents whose id starts with a hex digit below 8.
        Assert.Equal(corpus.Scalar("SELECT count(*) FROM documents WHERE status = 'auto_filed' AND substr(document_id, 1, 1) IN ('0','1','2','3','4','5','6','7');"),
            (await store.GetDashboardAsync(0.5, Ct)).QaSampled);

        BatchSummary batch = Assert.Single(await store.GetBatchesAsync(Ct));
        Assert.Equal(("test-batch", 28L, 28L, 28L), (batch.Name, batch.Files, batch.PagesStored, batch.PagesInDocuments));
        Assert.Equal(batch.Files, batch.FilesComplete + batch.FilesQuarantined + batch.FilesPending);
        Assert.Equal(28, batch.DocumentsByStatus.Values.Sum());

        Assert.Equal(["P000001"], (await store.SearchPatientsAsync(new PatientQuery(null, null, "mack", null), 10, Ct)).Select(p => p.PatientId));
        Assert.Equal(["P000001"], (await store.SearchPatientsAsync(new PatientQuery(null, "rxh1234567", null, null), 10, Ct)).Select(p => p.PatientId));
        Assert.Equal(["P000001"], (await store.SearchPatientsAsync(new PatientQuery("943 476 5919", null, null, null), 10, Ct)).Select(p => p.PatientId));
        Assert.Equal(["P000003"], (await store.SearchPatientsAsync(new PatientQuery(null, null, "o'n", new DateOnly(1952, 3, 2)), 10, Ct)).Select(p => p.PatientId));
        Assert.Empty(await store.SearchPatientsAsync(new PatientQuery(null, null, "%", null), 10, Ct));
        Assert.Equal("MARGARET", (await store.GetPatientAsync("P000004", Ct))!.GivenName);

        IReadOnlyList<SearchVolume> volumes = await store.GetSearchVolumesAsync(time.Now.AddHours(-1), Ct);
        Assert.Equal([new SearchVolume("alice", 1, 2), new SearchVolume("bob", 1, 0)], volumes);
    }

    [Fact]
    public async Task Turnaround_KnownArrivalAndFilingTimes_GiveMedianP95OldestAndAtRisk()
    {
        DateTimeOffset t0 = DateTimeOffset.Parse("2025-03-03T12:00:00Z", CultureInfo.InvariantCulture);
        var time = new ManualTime(t0);
        await using TestCorpus corpus = await CorpusAsync(flagged: 4, autoFiled: 10, time: time);
        SqlVerificationStore store = corpus.OpenStore(time);
        // As the stores write instants (UTC, milliseconds, 'Z'), so they compare as text.
        static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        void Arrived(string documentId, DateTimeOffset at) =>
            corpus.Execute($"UPDATE source_files SET created_utc = '{Instant(at)}' WHERE sha256 = (SELECT sha256 FROM documents WHERE document_id = '{documentId}');");

        // Auto-filed at t0 (the pipeline's decision), arrived 1-9 hours and 30 hours before it.
        double[] autoHours = [1, 2, 3, 4, 5, 6, 7, 8, 9, 30];
        List<string> auto = Ids(corpus, "status = 'auto_filed'");
        for (int i = 0; i < auto.Count; i++)
        {
            Arrived(auto[i], t0.AddHours(-autoHours[i]));
        }

        // Two hours later a clerk files one waiting document (arrived 10 hours before t0: 12 hours) and closes another as not
        // on the index (closed without filing: out of the turnaround).
        time.Now = t0.AddHours(2);
        string? filed = null, closed = null;
        while (filed is null || closed is null)
        {
            Lease lease = (await store.LeaseNextAsync("alice", Policy, Ct))!;
            VerificationDocument document = (await store.GetDocumentAsync(lease.DocumentId, Ct))!;
            ClerkDecision decision = filed is null && document.Candidates.Count > 0
                ? new ClerkDecision(lease.DocumentId, ClerkAction.File, document.Candidates[0].PatientId, false)
                : closed is null ? new ClerkDecision(lease.DocumentId, ClerkAction.NotOnIndex, null, false) : new ClerkDecision(lease.DocumentId, ClerkAction.Skip, null, false);
            await store.DecideAsync("alice", decision, Ct);
            filed ??= decision.Action == ClerkAction.File ? lease.DocumentId : null;
            closed ??= decision.Action == ClerkAction.NotOnIndex ? lease.DocumentId : null;
        }

        Arrived(filed, t0.AddHours(-10));
        Arrived(closed, t0.AddHours(-100));

        // Still waiting, aged 40, 20, 5 and 1 hours now; and a 3-page file not yet read into documents, 19 hours old.
        DateTimeOffset now = time.Now;
        List<string> waiting = Ids(corpus, "status IN ('needs_verification', 'unmatched')");
        Assert.Equal(4, waiting.Count);
        double[] waitingHours = [40, 20, 5, 1];
        for (int i = 0; i < waiting.Count; i++)
        {
            Arrived(waiting[i], now.AddHours(-waitingHours[i]));
        }

        string pending = new('e', 64);
        corpus.Execute($"""
            INSERT INTO source_files (sha256, length, page_count, status, created_utc, updated_utc) VALUES ('{pending}', 10, 3, 'pending', '{Instant(now.AddHours(-19))}', '{Instant(now)}');
            INSERT INTO batch_sources (batch_id, path, sha256, recorded_utc) VALUES ((SELECT id FROM batches WHERE name = 'test-batch'), '/scans/late.tif', '{pending}', '{Instant(now)}');
            """);

        TurnaroundFacts facts = await store.GetTurnaroundAsync(t0.AddDays(-13).UtcDateTime.Date, Ct);
        Assert.Equal(11, facts.Filed.Count);
        TurnaroundReport report = Turnaround.Summarise(facts, targetHours: 24, atRiskShare: 0.75, days: 14);

        // Filed: 1-9, 12 and 30 hours; median by nearest rank is the 6th of 11, the 95th percentile the 11th.
        Assert.Equal(11, report.PagesFiled);
        Assert.Equal(6.0, report.MedianHours!.Value, 6);
        Assert.Equal(30.0, report.P95Hours!.Value, 6);
        Assert.Equal(10.0 / 11, report.FiledWithinTarget!.Value, 6);
        Assert.Equal(4 + 3, report.PagesUnfiled);
        Assert.Equal(40.0, report.OldestUnfiledHours!.Value, 6);

        // At risk from 18 hours: the 40-hour document (overdue), the 20-hour one and the 19-hour file, oldest first.
        Assert.Equal(18.0, report.AtRiskHours, 6);
        Assert.Equal((5L, 1L, 3), (report.PagesAtRisk, report.PagesOverdue, report.ItemsAtRisk));
        Assert.Equal(
            [(waiting[0], true, "test-batch", 1), (waiting[1], false, "test-batch", 1), (pending[..16], false, "test-batch", 3)],
            report.AtRisk.Select(a => (a.Item, a.Overdue, a.BatchName ?? "(none)", a.Pages)));
        Assert.Equal("reading", report.AtRisk[2].Kind);
        Assert.Equal(19.0, report.AtRisk[2].AgeHours, 6);

        // Per arrival day (now is 2025-03-03 14:00): the 3rd has the 1-9 and 12-hour pages and two waiting (5 and 1 hours);
        // the 2nd the 30-hour page, the 20-hour document and the file; the 1st the 40-hour document.
        TurnaroundDay third = report.Days.Single(d => d.Day == new DateOnly(2025, 3, 3));
        Assert.Equal((12L, 10L, 2L), (third.PagesArrived, third.PagesFiled, third.PagesUnfiled));
        Assert.Equal(((double?)5.0, (double?)12.0, (double?)5.0), (third.MedianHours, third.P95Hours, third.OldestUnfiledHours));
        TurnaroundDay second = report.Days.Single(d => d.Day == new DateOnly(2025, 3, 2));
        Assert.Equal((5L, 1L, 4L), (second.PagesArrived, second.PagesFiled, second.PagesUnfiled));
        Assert.Equal(((double?)30.0, (double?)30.0, (double?)20.0), (second.MedianHours, second.P95Hours, second.OldestUnfiledHours));
        TurnaroundDay first = report.Days.Single(d => d.Day == new DateOnly(2025, 3, 1));
        Assert.Equal((1L, 0L, (double?)null, (double?)40.0), (first.PagesArrived, first.PagesFiled, first.MedianHours, first.OldestUnfiledHours));
        Assert.Equal(14, report.Days.Count);
        Assert.Equal(11, report.Days.Sum(d => d.PagesFiled));
    }

    private static List<string> Ids(TestCorpus corpus, string where) => corpus.Strings($"SELECT document_id FROM documents WHERE {where} ORDER BY document_id;");

    /// <summary>SQL that lets the next statement edit the audit table around its append-only rule (as a database owner could).</summary>
    private protected abstract string DisableAuditTriggersSql { get; }

    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

/// <summary>The contract on the embedded default: a SQLite file.</summary>
public sealed class SqliteVerificationStoreTests : VerificationStoreContractTests
{
    private protected override TestDatabase Database => TestDatabase.Sqlite;

    private protected override string DisableAuditTriggersSql => "DROP TRIGGER audit_no_update; ";

    [Theory]
    [InlineData(0, 100, 0.0, 0.0370)]
    [InlineData(5, 100, 0.0215, 0.1118)]
    [InlineData(50, 100, 0.4038, 0.5962)]
    public void Wilson_KnownValues_Match(long misfiled, long reviewed, double lower, double upper)
    {
        (double l, double u) = Digitise.Domain.Statistics.Wilson(misfiled, reviewed);
        Assert.Equal(lower, l, 3);
        Assert.Equal(upper, u, 3);
    }
}

/// <summary>The contract on a real PostgreSQL (a fresh database per test in the cluster scripts/with-services starts).</summary>
public sealed class PostgresVerificationStoreTests : VerificationStoreContractTests
{
    private protected override TestDatabase Database => TestDatabase.Postgres;

    private protected override string DisableAuditTriggersSql => "ALTER TABLE audit DISABLE TRIGGER USER; ";
}
