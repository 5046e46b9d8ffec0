using System.Security.Cryptography;
using System.Text;

namespace Digitise.Storage.Azure.Tests;

/// <summary>
/// What every <see cref="IBlobStore"/> must do, run once per implementation (the local folder and Azure Blob
/// Storage on Azurite). One abstract base, one subclass per store.
/// </summary>
public abstract class BlobStoreContractTests : IAsyncLifetime
{
    private IBlobStore? _store;

    protected static CancellationToken Ct => CancellationToken.None;

    protected IBlobStore Store => _store ?? throw new InvalidOperationException("InitializeAsync has not run.");

    /// <summary>A new, empty store for one test.</summary>
    protected abstract Task<IBlobStore> CreateStoreAsync();

    protected virtual Task DisposeStoreAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public Task DisposeAsync() => DisposeStoreAsync();

    [Fact]
    public async Task PutAsync_ThenOpenRead_ReturnsSameBytes()
    {
        byte[] content = RandomNumberGenerator.GetBytes(100_000);
        string key = BlobKeys.Source(Sha256(content));

        Assert.False(await Store.ExistsAsync(key, Ct));
        await Store.PutAsync(key, new MemoryStream(content), Ct);

        Assert.True(await Store.ExistsAsync(key, Ct));
        Assert.Equal(content, await ReadAllAsync(key));
    }

    [Fact]
    public async Task PutAsync_SameKeyAgain_ReplacesContent()
    {
        const string key = "previews/ab/abcdef/0001";
        await Store.PutAsync(key, new MemoryStream("first, longer content"u8.ToArray()), Ct);
        await Store.PutAsync(key, new MemoryStream("second"u8.ToArray()), Ct);

        Assert.Equal("second", Encoding.UTF8.GetString(await ReadAllAsync(key)));
    }

    [Fact]
    public async Task PutAsync_EmptyStream_StoresEmptyBlob()
    {
        const string key = "sources/e3/empty";
        await Store.PutAsync(key, new MemoryStream(), Ct);

        Assert.True(await Store.ExistsAsync(key, Ct));
        Assert.Empty(await ReadAllAsync(key));
    }

    [Fact]
    public async Task OpenReadAsync_Missing_ThrowsFileNotFound()
    {
        await Assert.ThrowsAnyAsync<FileNotFoundException>(() => Store.OpenReadAsync("sources/00/missing", Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData("sources/../../escape")]
    [InlineData("/rooted")]
    public async Task Keys_NotRelative_AreRejected(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(key, new MemoryStream([1]), Ct));
    }

    [Fact]
    public async Task PutAsync_FailingSource_LeavesNoPartialBlob()
    {
        const string key = "sources/ff/failing";
        await Assert.ThrowsAsync<IOException>(() => Store.PutAsync(key, new FailingStream(failAfter: 9 * 1024 * 1024), Ct));

        Assert.False(await Store.ExistsAsync(key, Ct));
    }

    /// <summary>
    /// A 96 MiB blob is written from a stream produced on the fly and read back: the live managed heap, forced to a
    /// full collection every 8 MiB the store pulls, never grows by more than a third of the blob, so the store streams
    /// (a store that buffered the whole file would hold 64 MiB at the two-thirds mark).
    /// </summary>
    [Fact]
    public async Task PutAsync_LargeStream_IsStreamedNotHeldInMemory()
    {
        const long length = 96L * 1024 * 1024;
        const string key = "sources/la/large";
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        using var source = new GeneratedStream(length, sampleEvery: 8 * 1024 * 1024);

        await Store.PutAsync(key, source, Ct);

        long growth = source.PeakLiveBytes - baseline;
        Assert.True(growth < length / 3, $"live heap grew by {growth / (1024 * 1024)} MiB while storing a {length / (1024 * 1024)} MiB blob");
        using var expected = new GeneratedStream(length, sampleEvery: 0);
        await using Stream read = await Store.OpenReadAsync(key, Ct);
        Assert.Equal(Convert.ToHexString(await SHA256.HashDataAsync(expected, Ct)), Convert.ToHexString(await SHA256.HashDataAsync(read, Ct)));
    }

    protected async Task<byte[]> ReadAllAsync(string key)
    {
        await using Stream stream = await Store.OpenReadAsync(key, Ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>Deterministic pseudo-random bytes, generated as read; samples the live heap as it goes.</summary>
    private sealed class GeneratedStream(long length, int sampleEvery) : Stream
    {
        private long _position;
        private long _nextSample = sampleEvery;

        public long PeakLiveBytes { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - _position);
            for (int i = 0; i < n; i++)
            {
                long p = _position + i;
                buffer[offset + i] = (byte)((p * 2654435761L) >> 13);
            }

            _position += n;
            if (sampleEvery > 0 && _position >= _nextSample)
            {
                _nextSample += sampleEvery;
                PeakLiveBytes = Math.Max(PeakLiveBytes, GC.GetTotalMemory(forceFullCollection: true));
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A source that breaks part-way (a disk error, a dropped network share).</summary>
    private sealed class FailingStream(int failAfter) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= failAfter)
            {
                throw new IOException("the source broke part-way");
            }

            int n = Math.Min(count, failAfter - _position);
            Array.Fill(buffer, (byte)7, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>The contract on the local folder store (the embedded default).</summary>
[Collection(BlobStoreCollection.Name)]
public sealed class LocalFolderBlobStoreTests : BlobStoreContractTests
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "digitise-blobs-" + Guid.NewGuid().ToString("N"));

    protected override Task<IBlobStore> CreateStoreAsync() => Task.FromResult<IBlobStore>(new LocalFolderBlobStore(_root));

    protected override Task DisposeStoreAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PutAsync_LeavesNoTemporaryFiles()
    {
        await Store.PutAsync("sources/aa/one", new MemoryStream([1, 2, 3]), Ct);

        Assert.Equal(["one"], Directory.GetFiles(Path.Combine(_root, "sources", "aa")).Select(Path.GetFileName));
    }
}

/// <summary>The contract on Azure Blob Storage (Azurite, a container per test).</summary>
[Collection(BlobStoreCollection.Name)]
public sealed class AzureBlobStoreTests : BlobStoreContractTests
{
    private AzureBlobStore? _azure;

    protected override async Task<IBlobStore> CreateStoreAsync()
    {
        _azure = await AzureBlobStore.OpenAsync(Testing.TestServices.RequireAzure(), "test-" + Guid.NewGuid().ToString("N"), Ct);
        return _azure;
    }

    protected override async Task DisposeStoreAsync()
    {
        if (_azure is not null)
        {
            var container = new global::Azure.Storage.Blobs.BlobContainerClient(Testing.TestServices.RequireAzure(), _azure.ContainerName);
            await container.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public void IsConnectionString_FolderOrConnectionString()
    {
        Assert.False(AzureConnection.IsConnectionString("/var/lib/digitise/blobs"));
        Assert.True(AzureConnection.IsConnectionString(Testing.TestServices.RequireAzure()));
        Assert.True(AzureConnection.IsConnectionString("UseDevelopmentStorage=true"));
    }
}

/// <summary>The large-blob test samples the whole process's heap, so the blob suites run one test at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BlobStoreCollection
{
    public const string Name = "blob stores";
}
