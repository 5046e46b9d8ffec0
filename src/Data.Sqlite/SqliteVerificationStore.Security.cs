using System.Globalization;
using System.Security.Cryptography;
using Digitise.Storage;
using Microsoft.Data.Sqlite;

namespace Digitise.Data.Sqlite;

/// <summary><see cref="ISecurityStore"/> and <see cref="IKeyRingStore"/> on the same file (schema version 8 and later).</summary>
public sealed partial class SqliteVerificationStore : ISecurityStore, IKeyRingStore
{
    /// <summary>A session's last-seen time is written at most this often (reads on every request, writes only now and then).</summary>
    private static readonly TimeSpan TouchInterval = TimeSpan.FromSeconds(30);

    public async Task<bool> CreateSessionAsync(string sessionIdHash, string userName, TimeSpan absoluteLifetime, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionIdHash);
        ArgumentException.ThrowIfNullOrWhiteSpace(userName);
        return await WriteAsync(async (connection, transaction, now, ct) =>
        {
            using SqliteCommand command = Command(connection, transaction, """
                INSERT INTO sessions (id_hash, username, role, security_stamp, created_utc, last_seen_utc, absolute_expires_utc)
                SELECT $id, username, role, security_stamp, $now, $now, $expires FROM users WHERE username = $name AND disabled = 0;
                """);
            command.Parameters.AddWithValue("$id", sessionIdHash);
            command.Parameters.AddWithValue("$name", userName);
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$expires", SqliteColumns.Instant(_database.UtcNow + absoluteLifetime));
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SessionValidation> ValidateSessionAsync(string sessionIdHash, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionIdHash);
        DateTimeOffset now = _database.UtcNow;
        string userName;
        string role;
        DateTimeOffset lastSeen;
        SessionCheck check;
        await using (SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            using SqliteCommand command = Command(connection, null, """
                SELECT s.username, s.role, s.security_stamp, s.last_seen_utc, s.absolute_expires_utc, s.revoked_utc,
                       u.username, u.role, u.security_stamp, u.disabled
                FROM sessions s LEFT JOIN users u ON u.username = s.username WHERE s.id_hash = $id;
                """);
            command.Parameters.AddWithValue("$id", sessionIdHash);
            await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return new SessionValidation(SessionCheck.Unknown, null, null);
            }

            userName = reader.GetString(0);
            role = reader.GetString(1);
            lastSeen = ParseInstant(reader.GetString(3));
            check = !reader.IsDBNull(5) ? SessionCheck.Revoked
                : ParseInstant(reader.GetString(4)) <= now ? SessionCheck.Expired
                : lastSeen + idleTimeout <= now ? SessionCheck.Idle
                : reader.IsDBNull(6) ? SessionCheck.UserMissing
                : reader.GetInt64(9) != 0 ? SessionCheck.UserDisabled
                : !string.Equals(reader.GetString(7), role, StringComparison.Ordinal) ? SessionCheck.RoleChanged
                : !string.Equals(reader.GetString(8), reader.GetString(2), StringComparison.Ordinal) ? SessionCheck.StampChanged
                : SessionCheck.Valid;
        }

        if (check is SessionCheck.Expired or SessionCheck.Idle or SessionCheck.UserMissing or SessionCheck.UserDisabled or SessionCheck.RoleChanged
            or SessionCheck.StampChanged)
        {
            await RevokeSessionAsync(sessionIdHash, check.ToString().ToLowerInvariant(), cancellationToken).ConfigureAwait(false);
        }
        else if (check == SessionCheck.Valid && now - lastSeen >= TouchInterval)
        {
            await WriteAsync(async (connection, transaction, stamp, ct) =>
            {
                using SqliteCommand touch = Command(connection, transaction, "UPDATE sessions SET last_seen_utc = $now WHERE id_hash = $id AND revoked_utc IS NULL;");
                touch.Parameters.AddWithValue("$now", stamp);
                touch.Parameters.AddWithValue("$id", sessionIdHash);
                return await touch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }

        return new SessionValidation(check, userName, role);
    }

    public async Task<bool> RevokeSessionAsync(string sessionIdHash, string reason, CancellationToken cancellationToken)
    {
        return await WriteAsync(async (connection, transaction, now, ct) =>
        {
            using SqliteCommand command = Command(connection, transaction,
                "UPDATE sessions SET revoked_utc = $now, revoked_reason = $reason WHERE id_hash = $id AND revoked_utc IS NULL;");
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$reason", reason);
            command.Parameters.AddWithValue("$id", sessionIdHash);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> RevokeUserSessionsAsync(string userName, string actor, CancellationToken cancellationToken)
    {
        return await WriteAsync(async (connection, transaction, now, ct) =>
        {
            int revoked = await RevokeAllAsync(connection, transaction, userName, "signed_out_everywhere", now, ct).ConfigureAwait(false);
            await InsertAuditAsync(connection, transaction, now, actor, "sessions_revoked", null, null,
                string.Create(CultureInfo.InvariantCulture, $"{userName}: {revoked} session(s)"), ct).ConfigureAwait(false);
            return revoked;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> SetUserDisabledAsync(string userName, bool disabled, string actor, CancellationToken cancellationToken)
    {
        return await WriteAsync(async (connection, transaction, now, ct) =>
        {
            using SqliteCommand command = Command(connection, transaction,
                "UPDATE users SET disabled = $disabled, updated_utc = $now WHERE username = $name;");
            command.Parameters.AddWithValue("$disabled", disabled ? 1 : 0);
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$name", userName);
            if (await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0)
            {
                return false;
            }

            await RevokeAllAsync(connection, transaction, userName, disabled ? "disabled" : "enabled", now, ct).ConfigureAwait(false);
            await InsertAuditAsync(connection, transaction, now, actor, disabled ? "user_disabled" : "user_enabled", null, null, userName, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SignInLockout> GetLockoutAsync(string userName, CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, "SELECT failed_signins, locked_until_utc FROM users WHERE username = $name;");
        command.Parameters.AddWithValue("$name", userName);
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new SignInLockout(reader.GetInt32(0), reader.IsDBNull(1) ? null : ParseInstant(reader.GetString(1)))
            : new SignInLockout(0, null);
    }

    public async Task<SignInLockout> RecordSignInFailureAsync(string userName, LockoutPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return await WriteAsync(async (connection, transaction, now, ct) =>
        {
            int failures;
            using (SqliteCommand count = Command(connection, transaction,
                "UPDATE users SET failed_signins = failed_signins + 1 WHERE username = $name RETURNING failed_signins;"))
            {
                count.Parameters.AddWithValue("$name", userName);
                if (await count.ExecuteScalarAsync(ct).ConfigureAwait(false) is not long value)
                {
                    return new SignInLockout(0, null);
                }

                failures = (int)value;
            }

            TimeSpan lockout = policy.LockoutFor(failures);
            DateTimeOffset? until = lockout > TimeSpan.Zero ? _database.UtcNow + lockout : null;
            if (until is { } locked)
            {
                using SqliteCommand lockCommand = Command(connection, transaction, "UPDATE users SET locked_until_utc = $until WHERE username = $name;");
                lockCommand.Parameters.AddWithValue("$until", SqliteColumns.Instant(locked));
                lockCommand.Parameters.AddWithValue("$name", userName);
                await lockCommand.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                await InsertAuditAsync(connection, transaction, now, userName, "sign_in_locked", null, null,
                    string.Create(CultureInfo.InvariantCulture, $"{failures} failed attempts: locked for {lockout.TotalMinutes:0.#} min"), ct).ConfigureAwait(false);
            }

            return new SignInLockout(failures, until);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task ResetSignInFailuresAsync(string userName, CancellationToken cancellationToken)
    {
        await WriteAsync(async (connection, transaction, now, ct) =>
        {
            using SqliteCommand command = Command(connection, transaction,
                "UPDATE users SET failed_signins = 0, locked_until_utc = NULL WHERE username = $name AND (failed_signins <> 0 OR locked_until_utc IS NOT NULL);");
            command.Parameters.AddWithValue("$name", userName);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task RecordSearchResultsAsync(string userName, string documentId, IReadOnlyList<string> patientIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patientIds);
        if (patientIds.Count == 0)
        {
            return;
        }

        await WriteAsync(async (connection, transaction, now, ct) =>
        {
            foreach (string patientId in patientIds)
            {
                using SqliteCommand command = Command(connection, transaction, """
                    INSERT INTO lease_search_results (document_id, username, patient_id, at_utc) VALUES ($doc, $user, $patient, $now)
                    ON CONFLICT DO NOTHING;
                    """);
                command.Parameters.AddWithValue("$doc", documentId);
                command.Parameters.AddWithValue("$user", userName);
                command.Parameters.AddWithValue("$patient", patientId);
                command.Parameters.AddWithValue("$now", now);
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SearchVolume>> GetSearchVolumesAsync(DateTimeOffset sinceUtc, CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, """
            SELECT username, sum(action = 'search_patients'), sum(action = 'view_patient' AND detail = 'search result')
            FROM audit WHERE action IN ('search_patients', 'view_patient') AND at_utc >= $since
            GROUP BY username HAVING sum(action = 'search_patients') > 0
            ORDER BY 2 DESC, username;
            """);
        command.Parameters.AddWithValue("$since", SqliteColumns.Instant(sinceUtc));
        var volumes = new List<SearchVolume>();
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            volumes.Add(new SearchVolume(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        }

        return volumes;
    }

    public async Task<AuditChainReport> VerifyAuditChainAsync(CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction snapshot = connection.BeginTransaction(deferred: true);
        using SqliteCommand command = Command(connection, snapshot,
            "SELECT id, at_utc, username, action, document_id, patient_id, detail, prev_hash, hash FROM audit ORDER BY id;");
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        string previous = AuditChain.Genesis;
        long rows = 0;
        bool sealedSeen = false;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows++;
            long id = reader.GetInt64(0);
            string? prevHash = reader.IsDBNull(7) ? null : reader.GetString(7);
            string? hash = reader.IsDBNull(8) ? null : reader.GetString(8);
            string expected = AuditChain.Hash(previous, id, reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6));
            if (hash is null)
            {
                // Rows from before the chain are sealed by the next append; a gap after sealed rows was written around the store.
                if (sealedSeen)
                {
                    return new AuditChainReport(rows, id, "row has no hash but follows sealed rows (written around the store)", null);
                }

                previous = expected;
                continue;
            }

            sealedSeen = true;
            if (!string.Equals(prevHash, previous, StringComparison.Ordinal))
            {
                return new AuditChainReport(rows, id, "previous-hash link does not match the row before (a row was removed, inserted or edited before it)", null);
            }

            if (!string.Equals(hash, expected, StringComparison.Ordinal))
            {
                return new AuditChainReport(rows, id, "content does not match its hash (the row was edited)", null);
            }

            previous = hash;
        }

        return new AuditChainReport(rows, null, sealedSeen ? null : rows == 0 ? null : "no sealed rows yet", rows == 0 ? null : previous);
    }

    public IReadOnlyList<string> ReadKeys()
    {
        using var connection = new SqliteConnection(_database.ConnectionString);
        connection.Open();
        using SqliteCommand command = Command(connection, null, "SELECT xml FROM data_protection_keys ORDER BY id;");
        var keys = new List<string>();
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    public void StoreKey(string friendlyName, string xml)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(friendlyName);
        ArgumentException.ThrowIfNullOrWhiteSpace(xml);
        using var connection = new SqliteConnection(_database.ConnectionString);
        connection.Open();
        using SqliteCommand pragma = Command(connection, null, "PRAGMA busy_timeout = 30000;");
        pragma.ExecuteNonQuery();
        using SqliteCommand command = Command(connection, null,
            "INSERT INTO data_protection_keys (friendly_name, xml, created_utc) VALUES ($name, $xml, $now) ON CONFLICT (friendly_name) DO NOTHING;");
        command.Parameters.AddWithValue("$name", friendlyName);
        command.Parameters.AddWithValue("$xml", xml);
        command.Parameters.AddWithValue("$now", Now());
        command.ExecuteNonQuery();
    }

    /// <summary>A new random security stamp: any session opened under the old one stops being honoured.</summary>
    internal static string NewSecurityStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static async Task<int> RevokeAllAsync(SqliteConnection connection, SqliteTransaction transaction, string userName, string reason, string now, CancellationToken ct)
    {
        using SqliteCommand command = Command(connection, transaction, """
            UPDATE users SET security_stamp = $stamp WHERE username = $name;
            UPDATE sessions SET revoked_utc = $now, revoked_reason = $reason WHERE username = $name AND revoked_utc IS NULL;
            """);
        command.Parameters.AddWithValue("$stamp", NewSecurityStamp());
        command.Parameters.AddWithValue("$name", userName);
        command.Parameters.AddWithValue("$now", now);
        command.Parameters.AddWithValue("$reason", reason);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        using SqliteCommand changes = Command(connection, transaction, "SELECT changes();");
        return Convert.ToInt32(await changes.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Appends one audit row to the hash chain. The first append after schema version 8 first seals the rows written before
    /// it (in id order). The id is chosen here (writes are serialised by <c>BEGIN IMMEDIATE</c>), so the row goes in whole.
    /// </summary>
    private static async Task InsertAuditAsync(
        SqliteConnection connection, SqliteTransaction transaction, string now, string userName, string action, string? documentId, string? patientId,
        string detail, CancellationToken ct)
    {
        string? previous;
        long id;
        bool legacy;
        using (SqliteCommand last = Command(connection, transaction, """
            SELECT (SELECT hash FROM audit WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1),
                   COALESCE((SELECT max(id) FROM audit), 0) + 1,
                   NOT EXISTS (SELECT 1 FROM audit WHERE hash IS NOT NULL) AND EXISTS (SELECT 1 FROM audit);
            """))
        {
            await using SqliteDataReader reader = await last.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            previous = reader.IsDBNull(0) ? null : reader.GetString(0);
            id = reader.GetInt64(1);
            legacy = reader.GetInt64(2) != 0;
        }

        previous = legacy ? await SealAsync(connection, transaction, ct).ConfigureAwait(false) : previous ?? AuditChain.Genesis;
        detail ??= string.Empty;
        using SqliteCommand command = Command(connection, transaction, """
            INSERT INTO audit (id, at_utc, username, action, document_id, patient_id, detail, prev_hash, hash)
            VALUES ($id, $now, $user, $action, $doc, $patient, $detail, $prev, $hash);
            """);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$now", now);
        command.Parameters.AddWithValue("$user", userName);
        command.Parameters.AddWithValue("$action", action);
        command.Parameters.AddWithValue("$doc", (object?)documentId ?? DBNull.Value);
        command.Parameters.AddWithValue("$patient", (object?)patientId ?? DBNull.Value);
        command.Parameters.AddWithValue("$detail", detail);
        command.Parameters.AddWithValue("$prev", previous);
        command.Parameters.AddWithValue("$hash", AuditChain.Hash(previous, id, now, userName, action, documentId, patientId, detail));
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Chains the rows from before schema version 8 (none is sealed yet) in id order; returns the last hash.</summary>
    private static async Task<string> SealAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken ct)
    {
        var rows = new List<(long Id, string Hash, string Previous)>();
        string previous = AuditChain.Genesis;
        using (SqliteCommand read = Command(connection, transaction,
            "SELECT id, at_utc, username, action, document_id, patient_id, detail FROM audit ORDER BY id;"))
        {
            await using SqliteDataReader reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                long id = reader.GetInt64(0);
                string hash = AuditChain.Hash(previous, id, reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6));
                rows.Add((id, hash, previous));
                previous = hash;
            }
        }

        foreach ((long id, string hash, string prev) in rows)
        {
            using SqliteCommand update = Command(connection, transaction, "UPDATE audit SET prev_hash = $prev, hash = $hash WHERE id = $id;");
            update.Parameters.AddWithValue("$prev", prev);
            update.Parameters.AddWithValue("$hash", hash);
            update.Parameters.AddWithValue("$id", id);
            await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        return previous;
    }
}
