using Digitise.Hosting;
using Digitise.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Digitise.Data.Sqlite;

/// <summary>
/// The embedded SQLite provider, the zero-configuration default: claims any <c>--db</c> value that is a path (not a
/// connection string or URL), and keeps blobs in <c>blobs/</c> beside the database file.
/// </summary>
public sealed class SqliteStoreProvider : IStoreProvider
{
    public string Name => "sqlite";

    public LocationClaim Claim(string location) =>
        StorageServiceCollectionExtensions.LooksLikeConnectionString(location) ? LocationClaim.None : LocationClaim.Fallback;

    public async Task<IDigitiseStore> OpenAsync(string location, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        await SqliteDigitiseStore.OpenAsync(location, timeProvider, cancellationToken).ConfigureAwait(false);

    public IVerificationStore OpenVerificationStore(string location, TimeProvider timeProvider) => new SqliteVerificationStore(location, timeProvider);

    public IModelStore OpenModelStore(string location) => new SqliteModelStore(location);

    public IDocumentTypeStore OpenDocumentTypeStore(string location) => new SqliteDocumentTypeStore(Path.GetFullPath(location));

    public IExportFacts OpenExportFacts(string location) => new SqliteExportQueries(Path.GetFullPath(location));

    public string Describe(string location) => location;

    public string? DefaultBlobLocation(string location) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(location))!, "blobs");
}

public static class SqliteServiceCollectionExtensions
{
    /// <summary>Registers the SQLite provider (the default for any <c>--db</c> path).</summary>
    public static IServiceCollection AddDigitiseSqlite(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStoreProvider, SqliteStoreProvider>());
        return services;
    }
}
