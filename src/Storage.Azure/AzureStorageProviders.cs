using Digitise.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Digitise.Storage.Azure;

/// <summary>The <c>Storage</c> settings only Azure needs: the container and queue names within the account.</summary>
public sealed class AzureStorageOptions
{
    /// <summary>The blob container (<c>Storage:Container</c>).</summary>
    public string Container { get; set; } = AzureBlobStore.DefaultContainer;

    /// <summary>The queue that carries work items (<c>Storage:QueueName</c>).</summary>
    public string QueueName { get; set; } = AzureWorkQueue.DefaultQueue;

    public void Validate()
    {
        // Azure's naming rules for containers and queues: 3-63 lower-case letters, digits and single hyphens.
        ConfigurationException.ThrowIfNot(IsAzureName(Container), "Storage:Container", Container, "must be 3-63 lower-case letters, digits or hyphens");
        ConfigurationException.ThrowIfNot(IsAzureName(QueueName), "Storage:QueueName", QueueName, "must be 3-63 lower-case letters, digits or hyphens");
    }

    private static bool IsAzureName(string? name) =>
        name is { Length: >= 3 and <= 63 } && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
        && name[0] != '-' && name[^1] != '-' && !name.Contains("--", StringComparison.Ordinal);
}

/// <summary>Azure Blob Storage for <c>--blobs</c> values that are Azure Storage connection strings.</summary>
public sealed class AzureBlobStoreProvider(AzureStorageOptions options) : IBlobStoreProvider
{
    public string Name => "azure blob storage";

    public LocationClaim Claim(string location) => AzureConnection.IsConnectionString(location) ? LocationClaim.Exact : LocationClaim.None;

    public IBlobStore Open(string location) => AzureBlobStore.Open(location, options.Container);
}

/// <summary>Azure Storage Queues for <c>--queue</c> values that are Azure Storage connection strings.</summary>
public sealed class AzureWorkQueueProvider(AzureStorageOptions options) : IWorkQueueProvider
{
    public string Name => "azure storage queues";

    public LocationClaim Claim(string location) => AzureConnection.IsConnectionString(location) ? LocationClaim.Exact : LocationClaim.None;

    public async Task<IWorkQueue> OpenAsync(string location, CancellationToken cancellationToken)
    {
        AzureWorkQueue queue = AzureWorkQueue.Create(location, options.QueueName);
        await queue.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        return queue;
    }
}

public static class AzureStorageServiceCollectionExtensions
{
    /// <summary>Registers Azure Blob Storage and Azure Storage Queues, with <c>Storage:Container</c> and <c>Storage:QueueName</c> bound and checked now.</summary>
    public static IServiceCollection AddDigitiseAzureStorage(this IServiceCollection services, DigitiseConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(configuration.Bind<AzureStorageOptions>("Storage", o => o.Validate()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBlobStoreProvider, AzureBlobStoreProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IWorkQueueProvider, AzureWorkQueueProvider>());
        return services;
    }
}
