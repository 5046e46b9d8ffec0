using System.Security.Claims;
using Digitise.Storage;
using Digitise.Verify.Ui.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Digitise.Verify.Ui.Api;

/// <summary>The operator's batches: progress, reconciliation, quarantined files and retry.</summary>
internal static class OperatorApi
{
    public static IEndpointRouteBuilder MapOperatorApi(this IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder batches = endpoints.MapApiGroup("/api/batches", Policies.Operator, "Batches");
        batches.MapGet("/", ListAsync).WithName("Batches").WithSummary("Batches with progress and reconciliation counters.");
        batches.MapGet("/{batchId:long}/quarantined", QuarantinedAsync).WithName("Quarantined").WithSummary("The batch's quarantined files and why.");
        batches.MapPost("/{batchId:long}/retry", RetryAsync).WithName("Retry")
            .WithSummary("Re-opens quarantined files (all, or one by sha256) so the next `digitise run` of the batch reads them again.");
        return endpoints;
    }

    public static BatchDto ToDto(BatchSummary b)
    {
        ArgumentNullException.ThrowIfNull(b);
        long settled = b.FilesComplete + b.FilesQuarantined;
        return new BatchDto(b.Id, b.Name, b.State, b.CreatedUtc, b.UpdatedUtc, b.Files, b.FilesComplete, b.FilesQuarantined, b.FilesPending,
            b.PagesExpected, b.PagesStored, b.PagesInDocuments, b.Files == 0 ? 0 : Math.Round((double)settled / b.Files, 4),
            b.Files == settled && b.FilesPending == 0, b.DocumentsByStatus);
    }

    private static async Task<Ok<List<BatchDto>>> ListAsync(ClaimsPrincipal user, IVerificationStore store, CancellationToken cancellationToken)
    {
        await store.AppendAuditAsync(user.UserName(), "view_batches", null, null, "api", cancellationToken);
        return TypedResults.Ok((await store.GetBatchesAsync(cancellationToken)).Select(ToDto).ToList());
    }

    private static async Task<Ok<List<QuarantinedFileDto>>> QuarantinedAsync(long batchId, ClaimsPrincipal user, IVerificationStore store, CancellationToken cancellationToken)
    {
        // File paths can name patients (scans are often filed by name): a view like any other.
        await store.AppendAuditAsync(user.UserName(), "view_quarantined", null, null, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"batch {batchId}"),
            cancellationToken);
        return TypedResults.Ok((await store.GetQuarantinedAsync(batchId, cancellationToken))
            .Select(q => new QuarantinedFileDto(q.Path, q.Sha256, q.Reason, q.Status, q.RetryRequestedUtc)).ToList());
    }

    private static async Task<Ok<RetryResponse>> RetryAsync(
        long batchId, RetryRequest? request, ClaimsPrincipal user, IVerificationStore store, CancellationToken cancellationToken)
    {
        int count = await store.RequestRetryAsync(batchId, request?.Sha256, user.UserName(), cancellationToken);
        return TypedResults.Ok(new RetryResponse(batchId, count,
            count == 0 ? "Nothing to retry." : $"{count} file(s) re-opened: rerun the batch's `digitise run` command to read them again."));
    }
}
