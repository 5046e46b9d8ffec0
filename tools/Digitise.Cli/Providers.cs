using Digitise.Data.Postgres;
using Digitise.Data.Sqlite;
using Digitise.Storage;
using Digitise.Storage.Azure;
using Microsoft.Extensions.Configuration;

namespace Digitise.Cli;

/// <summary>
/// The <c>Storage</c> section of digitise.json (or --config), overridden by <c>DIGITISE_Storage__*</c> variables and
/// then by the command-line options --db, --blobs and --queue.
/// </summary>
internal sealed class StorageSettings
{
    /// <summary>A blob folder, or an Azure Storage connection string. Default: the folder <c>blobs/</c> beside a SQLite database.</summary>
    public string? Blobs { get; init; }

    /// <summary>An Azure Storage connection string for the work queue (distributed runs only).</summary>
    public string? Queue { get; init; }

    /// <summary>The blob container on Azure Blob Storage.</summary>
    public string Container { get; init; } = AzureBlobStore.DefaultContainer;

    /// <summary>The Azure Storage queue that carries work items.</summary>
    public string QueueName { get; init; } = AzureWorkQueue.DefaultQueue;

    public static StorageSettings Load(string? configFile)
    {
        string file = Path.GetFullPath(configFile ?? Path.Combine(Directory.GetCurrentDirectory(), "digitise.json"));
        IConfiguration config = new ConfigurationBuilder().AddJsonFile(file, optional: true).AddEnvironmentVariables("DIGITISE_").Build();
        return config.GetSection("Storage").Get<StorageSettings>() ?? new StorageSettings();
    }
}

/// <summary>
/// Picks the providers from what the settings look like: <c>--db</c> is a SQLite file or a PostgreSQL connection
/// string (<c>Host=...;Database=...</c>); <c>--blobs</c> a folder or an Azure Storage connection string; <c>--queue</c>
/// an Azure Storage connection string. A new provider is one project plus a branch here.
/// </summary>
internal static class Providers
{
    public static bool IsPostgres(string database) => PostgresDigitiseStore.IsConnectionString(database);

    /// <summary>How to name the database in messages (never a password).</summary>
    public static string Describe(string database) =>
        IsPostgres(database) ? new PostgresDigitiseStore(database).Description : database;

    /// <summary>Opens and migrates the store.</summary>
    public static async Task<IDigitiseStore> OpenStoreAsync(string database, CancellationToken cancellationToken) =>
        IsPostgres(database)
            ? await PostgresDigitiseStore.OpenAsync(database, null, cancellationToken).ConfigureAwait(false)
            : await SqliteDigitiseStore.OpenAsync(database, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The verification app's store (accounts, sessions, the clerk queue, the audit chain) on the database, migrated first:
    /// the same for a SQLite file and a PostgreSQL database shared by several web instances.
    /// </summary>
    public static async Task<SqlVerificationStore> OpenVerificationStoreAsync(string database, CancellationToken cancellationToken)
    {
        await using (IDigitiseStore migrator = await OpenStoreAsync(database, cancellationToken).ConfigureAwait(false))
        {
        }

        return IsPostgres(database) ? new PostgresVerificationStore(database) : new SqliteVerificationStore(database);
    }

    /// <summary>The blob store: --blobs (or Storage:Blobs), else the folder beside a SQLite database.</summary>
    public static async Task<IBlobStore> OpenBlobsAsync(string? blobs, string database, StorageSettings settings, CancellationToken cancellationToken)
    {
        string? chosen = blobs ?? settings.Blobs;
        if (chosen is null)
        {
            if (IsPostgres(database))
            {
                throw new InvalidOperationException("With a PostgreSQL database the blob store must be given: --blobs FOLDER-or-AZURE-CONNECTION-STRING (or Storage:Blobs).");
            }

            return BatchOutput.Blobs(database);
        }

        return AzureConnection.IsConnectionString(chosen)
            ? await AzureBlobStore.OpenAsync(chosen, settings.Container, cancellationToken).ConfigureAwait(false)
            : new LocalFolderBlobStore(chosen);
    }

    public static async Task<IWorkQueue> OpenQueueAsync(string? queue, StorageSettings settings, CancellationToken cancellationToken)
    {
        string chosen = queue ?? settings.Queue
            ?? throw new InvalidOperationException("The work queue must be given: --queue AZURE-STORAGE-CONNECTION-STRING (or Storage:Queue).");
        AzureWorkQueue work = AzureWorkQueue.Create(chosen, settings.QueueName);
        await work.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        return work;
    }

    /// <summary>The newest trained matching model as (version, JSON), or null when none was trained.</summary>
    public static async Task<(string Version, string Json)?> LatestModelAsync(string database, CancellationToken cancellationToken)
    {
        if (IsPostgres(database))
        {
            await using var models = new PostgresModelStore(database);
            return await models.GetLatestAsync(cancellationToken).ConfigureAwait(false);
        }

        StoredModel? stored = await new SqliteModelStore(database).GetLatestAsync(cancellationToken).ConfigureAwait(false);
        return stored is null ? null : (stored.Version, stored.Json);
    }
}
