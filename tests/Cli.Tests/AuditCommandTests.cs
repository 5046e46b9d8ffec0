using Microsoft.Data.Sqlite;

namespace Digitise.Cli.Tests;

/// <summary><c>digitise audit verify</c> and the account commands, as an operator runs them (the real launcher, a real file).</summary>
public sealed class AuditCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "digitise-audit-cli", Guid.NewGuid().ToString("N"));

    private string Db => Path.Combine(_folder, "digitise.db");

    public AuditCommandTests() => Directory.CreateDirectory(_folder);

    [Fact]
    public async Task AuditVerify_IntactChain_Exits0_AndAnEditedRowExits2NamingIt()
    {
        Assert.Equal(0, (await Digitise.ExecWithInputAsync("tulip-ledger-orbit-42", "users", "add", "alice", "--role", "admin", "--password-stdin", "--db", Db)).ExitCode);
        Assert.Equal(0, (await Digitise.ExecWithInputAsync("amber-violin-harbour-7", "users", "add", "bob", "--role", "clerk", "--password-stdin", "--db", Db)).ExitCode);
        Assert.Equal(0, (await Digitise.ExecAsync("users", "disable", "bob", "--db", Db)).ExitCode);
        (int code, string stdout, _) = await Digitise.ExecAsync("audit", "verify", "--db", Db);
        Assert.Equal(0, code);
        Assert.Contains("rows:              3", stdout, StringComparison.Ordinal);
        Assert.Contains("intact:            yes", stdout, StringComparison.Ordinal);
        Assert.Matches("head_hash: +[0-9a-f]{64}", stdout);

        // Whoever has the file can drop the trigger; the chain still shows which row was changed.
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Db, Pooling = false }.ToString()))
        {
            connection.Open();
            using SqliteCommand tamper = connection.CreateCommand();
            tamper.CommandText = "DROP TRIGGER audit_no_update; UPDATE audit SET detail = 'bob as admin' WHERE id = 2;";
            tamper.ExecuteNonQuery();
        }

        (code, stdout, _) = await Digitise.ExecAsync("audit", "verify", "--db", Db);
        Assert.Equal(2, code);
        Assert.Contains("intact:            NO", stdout, StringComparison.Ordinal);
        Assert.Contains("first_broken_id:   2", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsersAdd_ShortOrCommonPassword_IsRefused()
    {
        // A refused password is a bad value given on the command line: exit code 3, as every other (README's table).
        (int code, _, string stderr) = await Digitise.ExecWithInputAsync("1234567890", "users", "add", "alice", "--role", "clerk", "--password-stdin", "--db", Db);
        Assert.Equal(3, code);
        Assert.Contains("at least 12 characters", stderr, StringComparison.Ordinal);
        (code, _, stderr) = await Digitise.ExecWithInputAsync("Password1234", "users", "add", "alice", "--role", "clerk", "--password-stdin", "--db", Db);
        Assert.Equal(3, code);
        Assert.Contains("common passwords", stderr, StringComparison.Ordinal);
        Assert.Equal(1, (await Digitise.ExecAsync("users", "disable", "nobody", "--db", Db)).ExitCode);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
