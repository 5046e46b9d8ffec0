using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Digitise.Storage.Azure;

/// <summary>
/// <see cref="IBlobStore"/> on one Azure Blob Storage container. Keys map to blob names unchanged (they are already
/// '/'-separated and content-addressed by SHA-256, see <see cref="BlobKeys"/>).
/// </summary>
/// <remarks>
/// Uploads are streamed as staged blocks of <see cref="BlockBytes"/> (at most <see cref="UploadConcurrency"/> in
/// flight), committed by one block list, so a blob appears whole or not at all and a 2 GiB source never sits in
/// memory. Reads stream too, in ranges.
/// </remarks>
public sealed class AzureBlobStore : IBlobStore
{
    /// <summary>The container used when none is configured.</summary>
    public const string DefaultContainer = "digitise";

    internal const int BlockBytes = 4 * 1024 * 1024;
    internal const int UploadConcurrency = 2;

    private readonly BlobContainerClient _container;

    public AzureBlobStore(BlobContainerClient container)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
    }

    public string ContainerName => _container.Name;

    /// <summary>A store on <paramref name="containerName"/> of the account in <paramref name="connectionString"/>, creating the container when missing.</summary>
    public static async Task<AzureBlobStore> OpenAsync(string connectionString, string? containerName, CancellationToken cancellationToken)
    {
        var container = new BlobContainerClient(AzureConnection.Validate(connectionString, "--blobs"), containerName ?? DefaultContainer);
        try
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            throw AzureConnection.Unreachable("Azure Blob Storage", container.Uri, "--blobs / Storage:Blobs", ex);
        }

        return new AzureBlobStore(container);
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        Response<bool> exists = await Blob(key).ExistsAsync(cancellationToken).ConfigureAwait(false);
        return exists.Value;
    }

    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var options = new BlobUploadOptions
        {
            TransferOptions = new StorageTransferOptions
            {
                InitialTransferSize = BlockBytes,
                MaximumTransferSize = BlockBytes,
                MaximumConcurrency = UploadConcurrency,
            },
        };
        await Blob(key).UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await Blob(key).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = BlockBytes }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new FileNotFoundException($"Blob '{key}' does not exist in container '{_container.Name}'.", key, ex);
        }
    }

    private BlobClient Blob(string key)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Contains("..", StringComparison.Ordinal) || key.StartsWith('/'))
        {
            throw new ArgumentException($"Blob key '{key}' is not a relative key.", nameof(key));
        }

        return _container.GetBlobClient(key);
    }
}
