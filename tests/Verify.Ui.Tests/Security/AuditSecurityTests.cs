using System.Net;
using System.Text.Json;
using Digitise.Data.Sqlite;
using Digitise.Storage;
using Microsoft.Data.Sqlite;

namespace Digitise.Verify.Ui.Tests.Security;

/// <summary>Issue 10, findings 4 and 7: every view of patient data is audited, and the audit trail is tamper-evident.</summary>
public sealed class AuditSecurityTests
{
    [Fact]
    public async Task AdminPageImage_WithoutALease_IsServedButAudited()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient dave = await app.SignedInAsync("dave");
        string id = app.Corpus.Text("SELECT document_id FROM documents WHERE status = 'auto_filed' LIMIT 1;")!;
        Assert.Equal(HttpStatusCode.OK, (await dave.GetAsync($"/api/documents/{id}/pages/1/image")).StatusCode);
        Assert.Equal("page 1; supervisor view without a lease",
            app.Corpus.Text($"SELECT detail FROM audit WHERE username = 'dave' AND action = 'view_page' AND document_id = '{id}';"));
    }

    [Fact]
    public async Task AuditLog_OperatorPagesAndDashboard_ReadsAreAudited()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient carol = await app.SignedInAsync("carol");
        using WebClient olive = await app.SignedInAsync("olive");
        Assert.Equal(HttpStatusCode.OK, (await carol.GetAsync("/api/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await carol.GetAsync("/dashboard")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await olive.GetAsync("/operator")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await olive.GetAsync("/api/batches")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await olive.GetAsync("/api/batches/1/quarantined")).StatusCode);
        Assert.Equal(1, app.Corpus.Scalar("SELECT count(*) FROM audit WHERE username = 'carol' AND action = 'view_audit';"));
        Assert.Equal(1, app.Corpus.Scalar("SELECT count(*) FROM audit WHERE username = 'carol' AND action = 'view_dashboard';"));
        Assert.Equal(1, app.Corpus.Scalar("SELECT count(*) FROM audit WHERE username = 'olive' AND action = 'view_operator';"));
        Assert.Equal(1, app.Corpus.Scalar("SELECT count(*) FROM audit WHERE username = 'olive' AND action = 'view_batches';"));
        Assert.Equal(1, app.Corpus.Scalar("SELECT count(*) FROM audit WHERE username = 'olive' AND action = 'view_quarantined';"));
    }

    [Fact]
    public async Task AuditChain_AfterRealUse_IsIntact_AndAnEditedRowIsNamed()
    {
        await using SecurityApp app = await SecurityApp.StartAsync();
        using WebClient alice = await app.SignedInAsync("alice");
        JsonElement doc = (await alice.NextAsync())!.Value;
        await alice.DecideAsync(doc.GetProperty("documentId").GetString()!, "skip");
        AuditChainReport intact = await app.Store.VerifyAuditChainAsync(CancellationToken.None);
        Assert.True(intact.Intact, intact.Problem);
        Assert.True(intact.Rows >= 5);
        Assert.Equal(64, intact.HeadHash!.Length);

        // Someone with the file drops the trigger and rewrites who viewed a document.
        long victim = app.Corpus.Scalar("SELECT min(id) FROM audit WHERE action = 'view_document';");
        app.Corpus.Execute($"DROP TRIGGER audit_no_update; UPDATE audit SET username = 'nobody' WHERE id = {victim};");
        AuditChainReport broken = await app.Store.VerifyAuditChainAsync(CancellationToken.None);
        Assert.False(broken.Intact);
        Assert.Equal(victim, broken.FirstBrokenId);
        Assert.Contains("edited", broken.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditChain_DeletedOrInsertedRow_IsNamed()
    {
        await using TestCorpus corpus = await TestCorpus.CreateAsync(flagged: 1, autoFiled: 0);
        var store = new SqliteVerificationStore(corpus.DatabasePath);
        for (int i = 0; i < 6; i++)
        {
            await store.AppendAuditAsync("alice", "view_document", "d" + i, null, string.Empty, CancellationToken.None);
        }

        corpus.Execute("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 3;");
        AuditChainReport deleted = await store.VerifyAuditChainAsync(CancellationToken.None);
        Assert.Equal(4, deleted.FirstBrokenId);

        // A row slipped in around the store (no hash) after sealed rows is named too.
        await using TestCorpus second = await TestCorpus.CreateAsync(flagged: 1, autoFiled: 0);
        var other = new SqliteVerificationStore(second.DatabasePath);
        await other.AppendAuditAsync("alice", "view_document", "d", null, string.Empty, CancellationToken.None);
        second.Execute("INSERT INTO audit (at_utc, username, action, detail) VALUES ('2026-01-01T00:00:00.0000000Z', 'x', 'forged', '');");
        AuditChainReport forged = await other.VerifyAuditChainAsync(CancellationToken.None);
        Assert.Equal(second.Scalar("SELECT max(id) FROM audit;"), forged.FirstBrokenId);
    }

    [Fact]
    public async Task AuditChain_RowsFromBeforeTheChain_AreSealedByTheNextAppend()
    {
        await using TestCorpus corpus = await TestCorpus.CreateAsync(flagged: 1, autoFiled: 0);
        corpus.Execute("""
            INSERT INTO audit (at_utc, username, action, detail) VALUES ('2025-01-01T00:00:00.0000000Z', 'old', 'view_document', 'a');
            INSERT INTO audit (at_utc, username, action, detail) VALUES ('2025-01-02T00:00:00.0000000Z', 'old', 'view_document', 'b');
            """);
        var store = new SqliteVerificationStore(corpus.DatabasePath);
        await store.AppendAuditAsync("alice", "view_document", "d", null, string.Empty, CancellationToken.None);
        Assert.Equal(0, corpus.Scalar("SELECT count(*) FROM audit WHERE hash IS NULL;"));
        Assert.True((await store.VerifyAuditChainAsync(CancellationToken.None)).Intact);

        // Once sealed, the trigger refuses any further update (only a missing hash may be set, once).
        Assert.Throws<SqliteException>(() => corpus.Execute("UPDATE audit SET detail = 'c' WHERE id = 1;"));
    }

    [Fact]
    public void AuditChain_Hash_IsUnambiguousAcrossFieldBoundaries()
    {
        string a = AuditChain.Hash(AuditChain.Genesis, 1, "t", "ab", "c", null, null, string.Empty);
        string b = AuditChain.Hash(AuditChain.Genesis, 1, "t", "a", "bc", null, null, string.Empty);
        string c = AuditChain.Hash(AuditChain.Genesis, 1, "t", "ab", "c", string.Empty, null, string.Empty);
        Assert.NotEqual(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(a, AuditChain.Hash(AuditChain.Genesis, 1, "t", "ab", "c", null, null, string.Empty));
    }
}
