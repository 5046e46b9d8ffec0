using Digitise.Hosting;
using Digitise.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Digitise.Data.Postgres;

/// <summary>
/// The PostgreSQL provider of the scale-out form: claims <c>--db</c> values that are PostgreSQL connection strings
/// (<c>Host=...;Database=...</c>). It has no default blob location: <c>--blobs</c> must name a shared blob store.
/// </summary>
public sealed class PostgresStoreProvider : IStoreProvider
{
    public string Name => "postgresql";

    public LocationClaim Claim(string location) => PostgresDigitiseStore.IsConnectionString(location) ? LocationClaim.Exact : LocationClaim.None;

    public string Describe(string location)
    {
        try
        {
            return new PostgresDigitiseStore(location).Description;
        }
        catch (InvalidOperationException)
        {
            return DigitiseStorage.Redact(location);
        }
    }

    public async Task<IDigitiseStore> OpenAsync(string location, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        await PostgresDigitiseStore.OpenAsync(location, timeProvider, cancellationToken).ConfigureAwait(false);

    public IVerificationStore OpenVerificationStore(string location, TimeProvider timeProvider) => new PostgresVerificationStore(location, timeProvider);

    public IModelStore OpenModelStore(string location) => new PostgresModelStore(location);

    public IDocumentTypeStore OpenDocumentTypeStore(string location) => new PostgresDocumentTypeStore(location);

    public IExportFacts OpenExportFacts(string location) => new PostgresExportFacts(location);

    public string? DefaultBlobLocation(string location) => null;
}

public static class PostgresServiceCollectionExtensions
{
    /// <summary>Registers the PostgreSQL provider (chosen for any <c>--db</c> that is a PostgreSQL connection string).</summary>
    public static IServiceCollection AddDigitisePostgres(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStoreProvider, PostgresStoreProvider>());
        return services;
    }
}
