using Azure.Storage.Queues;
using Digitise.Testing;

namespace Digitise.Storage.Azure.Tests;

/// <summary>The work queue on Azurite: the visibility timeout is the lease, the dequeue count says how often an item was tried.</summary>
public sealed class AzureWorkQueueTests : IAsyncLifetime
{
    private readonly string _name = "test-" + Guid.NewGuid().ToString("N");
    private AzureWorkQueue? _queue;

    private static CancellationToken Ct => CancellationToken.None;

    private AzureWorkQueue Queue => _queue!;

    public async Task InitializeAsync()
    {
        _queue = AzureWorkQueue.Create(TestServices.RequireAzure(), _name);
        await _queue.EnsureCreatedAsync(Ct);
    }

    public async Task DisposeAsync() => await new QueueClient(TestServices.RequireAzure(), _name).DeleteIfExistsAsync();

    private static WorkItem Item(string path) => new("batch-1", path, new string('a', 64), 1234, path.EndsWith(".pdf", StringComparison.Ordinal) ? "unreadable_file: denied" : null);

    [AzuriteFact]
    public async Task Receive_RoundTripsTheItem_AndHidesItFromOthers()
    {
        await Queue.EnqueueAsync(Item("folder/ünïcode name.tif"), Ct);
        await Queue.EnqueueAsync(Item("locked.pdf"), Ct);

        WorkLease? lease = await Queue.ReceiveAsync(TimeSpan.FromMinutes(1), Ct);
        WorkLease? second = await Queue.ReceiveAsync(TimeSpan.FromMinutes(1), Ct);
        Assert.NotNull(lease);
        Assert.NotNull(second);
        Assert.Equal(Item("folder/ünïcode name.tif"), lease.Item);
        Assert.Equal(Item("locked.pdf"), second.Item);
        Assert.Equal(1, lease.DequeueCount);
        Assert.Null(await Queue.ReceiveAsync(TimeSpan.FromMinutes(1), Ct));
    }

    [AzuriteFact]
    public async Task LeaseNotExtended_ItemReappearsWithHigherDequeueCount_ThenCompleteRemovesIt()
    {
        await Queue.EnqueueAsync(Item("a.tif"), Ct);
        WorkLease first = (await Queue.ReceiveAsync(TimeSpan.FromSeconds(1), Ct))!;

        WorkLease? again = null;
        for (int i = 0; i < 50 && again is null; i++)
        {
            await Task.Delay(200, Ct);
            again = await Queue.ReceiveAsync(TimeSpan.FromMinutes(1), Ct);
        }

        Assert.NotNull(again);
        Assert.Equal(first.MessageId, again.MessageId);
        Assert.Equal(2, again.DequeueCount);
        await Assert.ThrowsAsync<global::Azure.RequestFailedException>(() => Queue.CompleteAsync(first, Ct));
        await Queue.CompleteAsync(again, Ct);
        Assert.Equal(0, await Queue.ApproximateCountAsync(Ct));
    }

    [AzuriteFact]
    public async Task Extend_KeepsTheItemHidden_AndTheNewReceiptCompletes()
    {
        await Queue.EnqueueAsync(Item("b.tif"), Ct);
        WorkLease lease = (await Queue.ReceiveAsync(TimeSpan.FromSeconds(2), Ct))!;

        for (int i = 0; i < 3; i++)
        {
            lease = await Queue.ExtendAsync(lease, TimeSpan.FromSeconds(2), Ct);
            await Task.Delay(1000, Ct);
            Assert.Null(await Queue.ReceiveAsync(TimeSpan.FromMinutes(1), Ct));
        }

        await Queue.CompleteAsync(lease, Ct);
        Assert.Equal(0, await Queue.ApproximateCountAsync(Ct));
    }
}
