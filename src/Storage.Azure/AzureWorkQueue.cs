using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Digitise.Storage.Azure;

/// <summary>
/// <see cref="IWorkQueue"/> on an Azure Storage queue: one JSON message per work item; the message's visibility
/// timeout is the lease, its dequeue count tells how often the item was tried.
/// </summary>
public sealed class AzureWorkQueue : IWorkQueue
{
    /// <summary>The queue used when none is configured.</summary>
    public const string DefaultQueue = "digitise";

    private readonly QueueClient _queue;

    public AzureWorkQueue(QueueClient queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        _queue = queue;
    }

    public string QueueName => _queue.Name;

    /// <summary>A queue client on <paramref name="queueName"/> of the account in <paramref name="connectionString"/>.</summary>
    public static AzureWorkQueue Create(string connectionString, string? queueName) =>
        new(new QueueClient(AzureConnection.Validate(connectionString, "--queue"), queueName ?? DefaultQueue));

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            throw AzureConnection.Unreachable("Azure Queue Storage", _queue.Uri, "--queue / Storage:Queue", ex);
        }
    }

    public async Task EnqueueAsync(WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        string body = JsonSerializer.Serialize(item, WorkItemJson.Default.WorkItem);
        await _queue.SendMessageAsync(body, visibilityTimeout: null, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken).ConfigureAwait(false);
    }

    public async Task<WorkLease?> ReceiveAsync(TimeSpan lease, CancellationToken cancellationToken)
    {
        Response<QueueMessage?> response = await _queue.ReceiveMessageAsync(lease, cancellationToken).ConfigureAwait(false);
        QueueMessage? message = response.Value;
        if (message is null)
        {
            return null;
        }

        WorkItem item = JsonSerializer.Deserialize(message.Body.ToString(), WorkItemJson.Default.WorkItem)
            ?? throw new InvalidDataException($"Queue message {message.MessageId} is not a work item.");
        return new WorkLease(item, message.MessageId, message.PopReceipt, message.DequeueCount, message.NextVisibleOn ?? DateTimeOffset.UtcNow.Add(lease));
    }

    public async Task<WorkLease> ExtendAsync(WorkLease current, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        Response<UpdateReceipt> receipt = await _queue.UpdateMessageAsync(current.MessageId, current.Receipt, visibilityTimeout: lease, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return current with { Receipt = receipt.Value.PopReceipt, VisibleAgainUtc = receipt.Value.NextVisibleOn };
    }

    public async Task CompleteAsync(WorkLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await _queue.DeleteMessageAsync(lease.MessageId, lease.Receipt, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> ApproximateCountAsync(CancellationToken cancellationToken)
    {
        Response<QueueProperties> properties = await _queue.GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
        return properties.Value.ApproximateMessagesCount;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(WorkItem))]
internal sealed partial class WorkItemJson : JsonSerializerContext;
