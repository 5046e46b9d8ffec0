namespace Digitise.Storage;

/// <summary>One source file of a submitted batch, to be run through the pipeline by whichever worker takes it.</summary>
/// <param name="BatchName">The batch the file belongs to (created by <c>digitise submit</c>).</param>
/// <param name="Path">The file's path as found under the submitted INPUT (the manifest's <c>source_file</c>).</param>
/// <param name="Sha256">The file's SHA-256 (lower-case hex): its blob is <see cref="BlobKeys.Source"/> of it.</param>
/// <param name="Length">The file's size in bytes.</param>
/// <param name="Failure">Why the path could not be read when submitted (e.g. <c>unreadable_file: ...</c>); null for a readable file.
/// Such an item has no blob: the worker quarantines it with this reason, exactly as <c>run</c> would.</param>
public sealed record WorkItem(string BatchName, string Path, string Sha256, long Length, string? Failure);

/// <summary>A work item taken from the queue: invisible to other workers until <see cref="VisibleAgainUtc"/>.</summary>
/// <param name="DequeueCount">How many times the item has been handed out, this time included (1 the first time).</param>
public sealed record WorkLease(WorkItem Item, string MessageId, string Receipt, long DequeueCount, DateTimeOffset VisibleAgainUtc);

/// <summary>
/// The work-distribution seam: at-least-once delivery with a visibility timeout as the lease. A worker that dies
/// (even with SIGKILL) simply stops extending its lease; the item becomes visible again and another worker redoes
/// it, which is safe because every store write is idempotent.
/// </summary>
public interface IWorkQueue
{
    /// <summary>Creates the queue when missing.</summary>
    Task EnsureCreatedAsync(CancellationToken cancellationToken);

    Task EnqueueAsync(WorkItem item, CancellationToken cancellationToken);

    /// <summary>Takes the next visible item, hiding it for <paramref name="lease"/>; null when none is visible.</summary>
    Task<WorkLease?> ReceiveAsync(TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Extends the lease by <paramref name="lease"/> from now; returns the lease with its new receipt.</summary>
    Task<WorkLease> ExtendAsync(WorkLease current, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Removes a finished item for good.</summary>
    Task CompleteAsync(WorkLease lease, CancellationToken cancellationToken);

    /// <summary>Approximate number of items waiting or leased (the service's own estimate).</summary>
    Task<int> ApproximateCountAsync(CancellationToken cancellationToken);
}
