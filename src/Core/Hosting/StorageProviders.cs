using Digitise.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Digitise.Hosting;

/// <summary>How strongly a provider claims a <c>--db</c> or <c>--blobs</c> value.</summary>
public enum LocationClaim
{
    /// <summary>Not this provider's shape.</summary>
    None = 0,

    /// <summary>Any plain path (the file-based defaults): chosen only when no provider claims the value exactly.</summary>
    Fallback = 1,

    /// <summary>This provider's own shape (e.g. a connection string with <c>Host=</c>, an <c>https://*.blob.core.windows.net</c> URL).</summary>
    Exact = 2,
}

/// <summary>
/// A database provider (SQLite, PostgreSQL, ...): one project each, registered with <c>services.AddDigitise&lt;Name&gt;()</c>.
/// The host never names a provider: it passes <c>--db</c> to <see cref="DigitiseStorage"/>, which asks every registered
/// provider to claim it. Each provider owns its migrations (applied by <see cref="OpenAsync"/>).
/// </summary>
public interface IStoreProvider
{
    /// <summary>For messages and <c>digitise check</c>, e.g. "sqlite".</summary>
    string Name { get; }

    LocationClaim Claim(string location);

    /// <summary>How to name <paramref name="location"/> in messages and logs: never a password.</summary>
    string Describe(string location);

    /// <summary>Opens the pipeline's store at <paramref name="location"/>, creating and migrating the database as needed.</summary>
    Task<IDigitiseStore> OpenAsync(string location, TimeProvider timeProvider, CancellationToken cancellationToken);

    /// <summary>The verification app's store over the same database (already migrated by <see cref="OpenAsync"/>).</summary>
    IVerificationStore OpenVerificationStore(string location, TimeProvider timeProvider);

    /// <summary>Trained matching models and the documents they learn from.</summary>
    IModelStore OpenModelStore(string location);

    /// <summary>Documents' types: what the verification screen shows and a clerk sets, and the dashboard counts.</summary>
    IDocumentTypeStore OpenDocumentTypeStore(string location);

    /// <summary>What the exports read beyond a batch's manifest (document dates, the certificate's facts).</summary>
    IExportFacts OpenExportFacts(string location);

    /// <summary>Where blobs live when <c>--blobs</c> is not given (SQLite: <c>blobs/</c> beside the file); null when this provider has no default.</summary>
    string? DefaultBlobLocation(string location);
}

/// <summary>A blob store provider (local folder, Azure Blob Storage, ...), chosen by the shape of <c>--blobs</c> as stores are by <c>--db</c>.</summary>
public interface IBlobStoreProvider
{
    string Name { get; }

    LocationClaim Claim(string location);

    IBlobStore Open(string location);
}

/// <summary>A work queue provider (Azure Storage Queues, ...) for the distributed form, chosen by the shape of <c>--queue</c>.</summary>
public interface IWorkQueueProvider
{
    string Name { get; }

    LocationClaim Claim(string location);

    /// <summary>Opens the queue, creating it when missing.</summary>
    Task<IWorkQueue> OpenAsync(string location, CancellationToken cancellationToken);
}

/// <summary>
/// Where this process keeps its data: the <c>--db</c>, <c>--blobs</c> and <c>--queue</c> values as given (blobs null for the
/// store's default, queue null when the command needs none).
/// </summary>
public sealed record StorageLocations(string Database, string? Blobs, string? Queue = null);

/// <summary>
/// The storage the host chose: the provider that claims <c>--db</c> and the blob provider that claims <c>--blobs</c> (or the
/// store's default blob location). The one place providers are selected; a new provider is a project and a registration.
/// </summary>
public sealed class DigitiseStorage
{
    private readonly List<IWorkQueueProvider> _queues;
    private readonly Lazy<string> _blobLocation;
    private readonly Lazy<IBlobStoreProvider> _blobProvider;

    public DigitiseStorage(
        IEnumerable<IStoreProvider> stores,
        IEnumerable<IBlobStoreProvider> blobs,
        StorageLocations locations,
        TimeProvider? timeProvider = null,
        IEnumerable<IWorkQueueProvider>? queues = null)
    {
        ArgumentNullException.ThrowIfNull(locations);
        Locations = locations;
        TimeProvider = timeProvider ?? TimeProvider.System;
        Store = Choose(stores.ToList(), p => p.Claim(locations.Database), p => p.Name, "--db", locations.Database, Redact);
        Description = Store.Describe(locations.Database);
        // Chosen when first needed: commands that touch no blob (users, audit, report) need no --blobs on a database without a default.
        List<IBlobStoreProvider> blobProviders = blobs.ToList();
        _blobLocation = new Lazy<string>(() => locations.Blobs ?? Store.DefaultBlobLocation(locations.Database)
            ?? throw new ConfigurationException("--blobs", null, $"is needed with the {Store.Name} database (it has no default blob location)"));
        _blobProvider = new Lazy<IBlobStoreProvider>(() => Choose(blobProviders, p => p.Claim(BlobLocation), p => p.Name, "--blobs", BlobLocation, Redact));
        _queues = queues?.ToList() ?? [];
    }

    /// <summary>The database as messages name it (no password).</summary>
    public string Description { get; }

    public StorageLocations Locations { get; }

    public IStoreProvider Store { get; }

    public IBlobStoreProvider BlobProvider => _blobProvider.Value;

    public string BlobLocation => _blobLocation.Value;

    public TimeProvider TimeProvider { get; }

    public Task<IDigitiseStore> OpenStoreAsync(CancellationToken cancellationToken) => Store.OpenAsync(Locations.Database, TimeProvider, cancellationToken);

    public IVerificationStore OpenVerificationStore() => Store.OpenVerificationStore(Locations.Database, TimeProvider);

    public IModelStore OpenModelStore() => Store.OpenModelStore(Locations.Database);

    public IDocumentTypeStore OpenDocumentTypeStore() => Store.OpenDocumentTypeStore(Locations.Database);

    public IExportFacts OpenExportFacts() => Store.OpenExportFacts(Locations.Database);

    public IBlobStore OpenBlobStore() => BlobProvider.Open(BlobLocation);

    /// <summary>The work queue named by <c>--queue</c> (distributed runs: <c>submit</c> and <c>worker</c>).</summary>
    /// <exception cref="ConfigurationException">No <c>--queue</c> was given, or no registered provider recognises it.</exception>
    public async Task<IWorkQueue> OpenQueueAsync(CancellationToken cancellationToken)
    {
        string location = Locations.Queue
            ?? throw new ConfigurationException("--queue", null, "is needed: the work queue's connection string (or Storage:Queue)");
        IWorkQueueProvider provider = Choose(_queues, p => p.Claim(location), p => p.Name, "--queue", location, Redact);
        return await provider.OpenAsync(location, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A location for a message: connection strings lose every secret-looking value (key, password, signature).</summary>
    public static string Redact(string location)
    {
        int scheme = location.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            // scheme://user:password@host/...: the user information goes.
            int at = location.IndexOf('@', scheme + 3);
            int slash = location.IndexOf('/', scheme + 3);
            return at > 0 && (slash < 0 || at < slash) ? location[..(scheme + 3)] + "***" + location[at..] : location;
        }

        if (!StorageServiceCollectionExtensions.LooksLikeConnectionString(location))
        {
            return location;
        }

        return string.Join(';', location.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(part =>
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            string key = equals < 0 ? part : part[..equals].Trim();
            bool secret = key.Contains("key", StringComparison.OrdinalIgnoreCase) || key.Contains("password", StringComparison.OrdinalIgnoreCase)
                || key.Contains("signature", StringComparison.OrdinalIgnoreCase) || key.Equals("pwd", StringComparison.OrdinalIgnoreCase);
            return secret ? key + "=***" : part;
        }));
    }

    /// <summary>Creates and migrates the database (start-up of a host that only reads, such as the web app).</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using IDigitiseStore store = await OpenStoreAsync(cancellationToken).ConfigureAwait(false);
    }

    private static T Choose<T>(List<T> providers, Func<T, LocationClaim> claim, Func<T, string> name, string setting, string location, Func<string, string> describe)
    {
        string value = describe(location);
        var ranked = providers.Select(p => (Provider: p, Claim: claim(p))).Where(p => p.Claim != LocationClaim.None).OrderByDescending(p => p.Claim).ToList();
        if (ranked.Count == 0)
        {
            string known = providers.Count == 0 ? "none is registered" : "registered: " + string.Join(", ", providers.Select(name));
            throw new ConfigurationException(setting, value, $"is not a location any storage provider recognises ({known})");
        }

        if (ranked.Count > 1 && ranked[0].Claim == ranked[1].Claim)
        {
            throw new ConfigurationException(setting, value, $"is claimed by both {name(ranked[0].Provider)} and {name(ranked[1].Provider)}");
        }

        return ranked[0].Provider;
    }
}

/// <summary>The local-folder blob provider (any plain path), and the storage choice itself.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>Blobs in a local folder: claims any plain path as a fallback.</summary>
    public static IServiceCollection AddDigitiseLocalBlobs(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBlobStoreProvider, LocalFolderBlobStoreProvider>());
        return services;
    }

    /// <summary>
    /// Registers the storage chosen for <paramref name="locations"/> among the registered providers, and the stores it opens:
    /// <see cref="IVerificationStore"/>, <see cref="IModelStore"/> and <see cref="IBlobStore"/> (the pipeline's
    /// <see cref="IDigitiseStore"/> is opened, and disposed, by whoever runs it: <see cref="DigitiseStorage.OpenStoreAsync"/>).
    /// </summary>
    public static IServiceCollection AddDigitiseStorage(this IServiceCollection services, StorageLocations locations)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(locations);
        services.AddSingleton(sp => new DigitiseStorage(
            sp.GetServices<IStoreProvider>(), sp.GetServices<IBlobStoreProvider>(), sp.GetRequiredService<StorageLocations>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetServices<IWorkQueueProvider>()));
        services.AddSingleton(sp => sp.GetRequiredService<DigitiseStorage>().OpenVerificationStore());
        services.AddSingleton(sp => sp.GetRequiredService<DigitiseStorage>().OpenModelStore());
        services.AddSingleton(sp => sp.GetRequiredService<DigitiseStorage>().OpenDocumentTypeStore());
        services.AddSingleton(sp => sp.GetRequiredService<DigitiseStorage>().OpenBlobStore());
        return services;
    }

    /// <summary>A value that is a connection string or URL rather than a path (<c>Key=Value;...</c> or <c>scheme://</c>).</summary>
    public static bool LooksLikeConnectionString(string location) =>
        location.Contains("://", StringComparison.Ordinal) || (location.Contains('=', StringComparison.Ordinal) && !File.Exists(location) && !Directory.Exists(location));

    private sealed class LocalFolderBlobStoreProvider : IBlobStoreProvider
    {
        public string Name => "local folder";

        public LocationClaim Claim(string location) => LooksLikeConnectionString(location) ? LocationClaim.None : LocationClaim.Fallback;

        public IBlobStore Open(string location) => new LocalFolderBlobStore(location);
    }
}
