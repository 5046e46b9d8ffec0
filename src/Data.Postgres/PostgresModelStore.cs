using Npgsql;

namespace Digitise.Data.Postgres;

/// <summary>Matching models on PostgreSQL (table <c>match_models</c>): the newest one is what workers match with.</summary>
public sealed class PostgresModelStore(string connectionString) : IAsyncDisposable
{
    private readonly PostgresDatabase _database = new(connectionString, timeProvider: null);

    /// <summary>The newest model as (version, JSON), or null when none was trained.</summary>
    public async Task<(string Version, string Json)?> GetLatestAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT version, model_json FROM match_models ORDER BY sequence DESC LIMIT 1;", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
