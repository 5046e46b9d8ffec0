using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using Digitise.Storage;

namespace Digitise.Data.Sqlite;

/// <summary><see cref="ISecurityStore"/> and <see cref="IKeyRingStore"/> on the same database (SQLite schema version 8, PostgreSQL 3, and later).</summary>
public abstract partial class SqlVerificationStore : ISecurityStore, IKeyRingStore
{
    /// <summary>A session's last-seen time is written at most this often (reads on every request, writes only now and then).</summary>
    private static readonly TimeSpan TouchInterval = TimeSpan.FromSeconds(30);

    public async Task<bool> CreateSessionAsync(string sessionIdHash, string userName, TimeSpan absoluteLifetime, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionIdHash);
        ArgumentException.ThrowIfNullOrWhiteSpace(userName);
        return await WriteAsync(async (connection, transaction, now, ct) =>
        {
            using DbCommand command = Command(connection, transaction, """
                INSERT INTO sessions (id_hash, username, role, security_stamp, created_utc, last_seen_utc, absolute_expires_utc)
                SELECT @id, username, role, security_stamp, @now, @now, @expires FROM users WHERE username = @name AND disabled = 0;
                """);
            command.AddParameter("@id", sessionIdHash);
            command.AddParameter("@name", userName);
            command.AddParameter("@now", now);
            command.AddParameter("@expires", SqliteColumns.Instant(UtcNow + absoluteLifetime));
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SessionValidation> ValidateSessionAsync(string sessionIdHash, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionIdHash);
        DateTimeOffset now = UtcNow;
        string userName;
        string role;
        DateTimeOffset lastSeen;
        SessionCheck check;
        await using (DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            using DbCommand command = Command(connection, null, """
                SELECT s.username, s.role, s.security_stamp, s.last_seen_utc, s.absolute_expires_utc, s.revoked_utc,
                       u.username, u.role, u.security_stamp, u.disabled
                FROM sessions s LEFT JOIN users u ON u.username = s.username WHERE s.id_hash = @id;
                """);
            command.AddParameter("@id", sessionIdHash);
            await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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
                : Long(reader, 9) != 0 ? SessionCheck.UserDisabled
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
                using DbCommand touch = Command(connection, transaction, "UPDATE sessions SET last_seen_utc = @now WHERE id_hash = @id AND revoked_utc IS NULL;");
                touch.AddParameter("@now", stamp);
                touch.AddParameter("@id", sessionIdHash);
                return await touch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }

        return new SessionValidation(check, userName, role);
    }

    public async Task<bool> RevokeSessionAsync(string sessionIdHash, string reason, CancellationToken cancellationToken)
    {
        return await WriteAsync(async (connection, transaction, now, ct) =>
        {
            using DbCommand command = Command(connection, transaction,
                "UPDATE sessions SET revoked_utc = @now, revoked_reason = @reason WHERE id_hash = @id AND revoked_utc IS NULL;");
            command.AddParameter("@now", now);
            command.AddParameter("@reason", reason);
            command.AddParameter("@id", sessionIdHash);
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
            using DbCommand command = Command(connection, transaction,
                "UPDATE users SET disabled = @disabled, updated_utc = @now WHERE username = @name;");
            command.AddParameter("@disabled", disabled ? 1 : 0);
            command.AddParameter("@now", now);
            command.AddParameter("@name", userName);
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
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using DbCommand command = Command(connection, null, "SELECT failed_signins, locked_until_utc FROM users WHERE username = @name;");
        command.AddParameter("@name", userName);
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new SignInLockout(Int(reader, 0), reader.IsDBNull(1) ? null : ParseInstant(reader.GetString(1)))
            : new SignInLockout(0, null);
    }

    public async Task<SignInLockout> RecordSignInFailureAsync(string userName, LockoutPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return await WriteAsync(async (connection, transaction, now, ct) =>
        {
            int failures;
            using (DbCommand count = Command(connection, transaction,
                "UPDATE users SET failed_signins = failed_signins + 1 WHERE username = @name RETURNING failed_signins;"))
            {
                count.AddParameter("@name", userName);
                object? value = await count.ExecuteScalarAsync(ct).ConfigureAwait(false);
                if (value is null or DBNull)
                {
                    return new SignInLockout(0, null);
                }

                failures = Convert.ToInt32(value, CultureInfo.InvariantCulture);
            }

            TimeSpan lockout = policy.LockoutFor(failures);
            DateTimeOffset? until = lockout > TimeSpan.Zero ? UtcNow + lockout : null;
            if (until is { } locked)
            {
                using DbCommand lockCommand = Command(connection, transaction, "UPDATE users SET locked_until_utc = @until WHERE username = @name;");
                lockCommand.AddParameter("@until", SqliteColumns.Instant(locked));
                lockCommand.AddParameter("@name", userName);
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
            using DbCommand command = Command(connection, transaction,
                "UPDATE users SET failed_signins = 0, locked_until_utc = NULL WHERE username = @name AND (failed_signins <> 0 OR locked_until_utc IS NOT NULL);");
            command.AddParameter("@name", userName);
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
                using DbCommand command = Command(connection, transaction, """
                    INSERT INTO lease_search_results (document_id, username, patient_id, at_utc) VALUES (@doc, @user, @patient, @now)
                    ON CONFLICT DO NOTHING;
                    """);
                command.AddParameter("@doc", documentId);
                command.AddParameter("@user", userName);
                command.AddParameter("@patient", patientId);
                command.AddParameter("@now", now);
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SearchVolume>> GetSearchVolumesAsync(DateTimeOffset sinceUtc, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using DbCommand command = Command(connection, null, """
            SELECT username, sum(CASE WHEN action = 'search_patients' THEN 1 ELSE 0 END), sum(CASE WHEN action = 'view_patient' AND detail = 'search result' THEN 1 ELSE 0 END)
            FROM audit WHERE action IN ('search_patients', 'view_patient') AND at_utc >= @since
            GROUP BY username HAVING sum(CASE WHEN action = 'search_patients' THEN 1 ELSE 0 END) > 0
            ORDER BY 2 DESC, username;
            """);
        command.AddParameter("@since", SqliteColumns.Instant(sinceUtc));
        var volumes = new List<SearchVolume>();
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            volumes.Add(new SearchVolume(reader.GetString(0), Long(reader, 1), Long(reader, 2)));
        }

        return volumes;
    }

    public async Task<AuditChainReport> VerifyAuditChainAsync(CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using DbTransaction snapshot = await BeginReadAsync(connection, cancellationToken).ConfigureAwait(false);
        using DbCommand command = Command(connection, snapshot,
            "SELECT id, at_utc, username, action, document_id, patient_id, detail, prev_hash, hash FROM audit ORDER BY id;");
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        string previous = AuditChain.Genesis;
        long rows = 0;
        bool sealedSeen = false;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows++;
            long id = Long(reader, 0);
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
        using DbConnection connection = Open();
        using DbCommand command = Command(connection, null, "SELECT xml FROM data_protection_keys ORDER BY id;");
        var keys = new List<string>();
        using DbDataReader reader = command.ExecuteReader();
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
        using DbConnection connection = Open();
        using DbCommand command = Command(connection, null,
            "INSERT INTO data_protection_keys (friendly_name, xml, created_utc) VALUES (@name, @xml, @now) ON CONFLICT (friendly_name) DO NOTHING;");
        command.AddParameter("@name", friendlyName);
        command.AddParameter("@xml", xml);
        command.AddParameter("@now", Now());
        command.ExecuteNonQuery();
    }

    /// <summary>A new random security stamp: any session opened under the old one stops being honoured.</summary>
    internal static string NewSecurityStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static async Task<int> RevokeAllAsync(DbConnection connection, DbTransaction transaction, string userName, string reason, string now, CancellationToken ct)
    {
        using (DbCommand stamp = Command(connection, transaction, "UPDATE users SET security_stamp = @stamp WHERE username = @name;"))
        {
            stamp.AddParameter("@stamp", NewSecurityStamp());
            stamp.AddParameter("@name", userName);
            await stamp.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        using DbCommand revoke = Command(connection, transaction,
            "UPDATE sessions SET revoked_utc = @now, revoked_reason = @reason WHERE username = @name AND revoked_utc IS NULL;");
        revoke.AddParameter("@name", userName);
        revoke.AddParameter("@now", now);
        revoke.AddParameter("@reason", reason);
        return await revoke.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends one audit row to the hash chain. The first append after schema version 8 first seals the rows written before
    /// it (in id order). The id is chosen here (the store's writes are serialised, see <see cref="WriteTransactionAsync"/>), so the row goes in whole.
    /// </summary>
    private async Task InsertAuditAsync(
        DbConnection connection, DbTransaction transaction, string now, string userName, string action, string? documentId, string? patientId,
        string detail, CancellationToken ct)
    {
        string? previous;
        long id;
        bool legacy;
        using (DbCommand last = Command(connection, transaction, $"""
            SELECT (SELECT hash FROM audit WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1),
                   {NextAuditIdSql},
                   CASE WHEN NOT EXISTS (SELECT 1 FROM audit WHERE hash IS NOT NULL) AND EXISTS (SELECT 1 FROM audit) THEN 1 ELSE 0 END;
            """))
        {
            await using DbDataReader reader = await last.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            previous = reader.IsDBNull(0) ? null : reader.GetString(0);
            id = Long(reader, 1);
            legacy = Long(reader, 2) != 0;
        }

        previous = legacy ? await SealAsync(connection, transaction, ct).ConfigureAwait(false) : previous ?? AuditChain.Genesis;
        detail ??= string.Empty;
        using DbCommand command = Command(connection, transaction, """
            INSERT INTO audit (id, at_utc, username, action, document_id, patient_id, detail, prev_hash, hash)
            VALUES (@id, @now, @user, @action, @doc, @patient, @detail, @prev, @hash);
            """);
        command.AddParameter("@id", id);
        command.AddParameter("@now", now);
        command.AddParameter("@user", userName);
        command.AddParameter("@action", action);
        command.AddParameter("@doc", (object?)documentId ?? DBNull.Value);
        command.AddParameter("@patient", (object?)patientId ?? DBNull.Value);
        command.AddParameter("@detail", detail);
        command.AddParameter("@prev", previous);
        command.AddParameter("@hash", AuditChain.Hash(previous, id, now, userName, action, documentId, patientId, detail));
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Chains the rows from before schema version 8 (none is sealed yet) in id order; returns the last hash.</summary>
    private static async Task<string> SealAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct)
    {
        var rows = new List<(long Id, string Hash, string Previous)>();
        string previous = AuditChain.Genesis;
        using (DbCommand read = Command(connection, transaction,
            "SELECT id, at_utc, username, action, document_id, patient_id, detail FROM audit ORDER BY id;"))
        {
            await using DbDataReader reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                long id = Long(reader, 0);
                string hash = AuditChain.Hash(previous, id, reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6));
                rows.Add((id, hash, previous));
                previous = hash;
            }
        }

        foreach ((long id, string hash, string prev) in rows)
        {
            using DbCommand update = Command(connection, transaction, "UPDATE audit SET prev_hash = @prev, hash = @hash WHERE id = @id;");
            update.AddParameter("@prev", prev);
            update.AddParameter("@hash", hash);
            update.AddParameter("@id", id);
            await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        return previous;
    }
}
