using System.Globalization;
using System.Security.Claims;
using System.Text;
using Digitise.Storage;
using Digitise.Verify.Ui.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Digitise.Verify.Ui.Api;

/// <summary>The clerk's queue: lease the next document, decide, see its pages.</summary>
internal static class QueueApi
{
    public static IEndpointRouteBuilder MapQueueApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api/session").RequireAuthorization().WithTags("Session")
            .MapGet("/", GetSession).WithName("GetSession").WithSummary("The signed-in user and the antiforgery token for API writes.");

        RouteGroupBuilder queue = endpoints.MapApiGroup("/api", Policies.Clerk, "Queue");
        queue.MapGet("/queue/next", NextAsync).WithName("NextDocument")
            .WithSummary("Leases the next document to the signed-in clerk (the one already held, if any); 204 when the queue is empty.");
        queue.MapPost("/documents/{documentId}/decision", DecideAsync).WithName("Decide")
            .WithSummary("Files the leased document (action file + patientId), or marks it not_on_index, rescan, or skip.");
        queue.MapPost("/documents/{documentId}/release", ReleaseAsync).WithName("Release").WithSummary("Gives the lease back without deciding.");
        queue.MapGet("/documents/{documentId}/pages/{page:int}/image", PageImageAsync).WithName("PageImage")
            .WithSummary("The page preview (JPEG/PNG), or an SVG rendering of the recognised words when no preview was stored.");
        return endpoints;
    }

    public static string UserName(this ClaimsPrincipal user) => user.Identity?.Name ?? throw new InvalidOperationException("No signed-in user.");

    private static Ok<SessionDto> GetSession(HttpContext context, IAntiforgery antiforgery, VerifyOptions options)
    {
        AntiforgeryTokenSet tokens = antiforgery.GetAndStoreTokens(context);
        return TypedResults.Ok(new SessionDto(
            context.User.UserName(), context.User.FindFirstValue(ClaimTypes.Role) ?? string.Empty, tokens.RequestToken!, options.IdleTimeoutMinutes));
    }

    private static async Task<Results<Ok<DocumentDto>, NoContent>> NextAsync(
        ClaimsPrincipal user, IVerificationStore store, VerificationPolicy policy, VerifyOptions options, CancellationToken cancellationToken)
    {
        string userName = user.UserName();
        var queuePolicy = new QueuePolicy(options.Lease, options.QaShare);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            Lease? lease = await store.LeaseNextAsync(userName, queuePolicy, cancellationToken);
            if (lease is null)
            {
                return TypedResults.NoContent();
            }

            VerificationDocument? document = await store.GetDocumentAsync(lease.DocumentId, cancellationToken);
            if (document is null)
            {
                await store.ReleaseAsync(userName, lease.DocumentId, cancellationToken);
                continue;
            }

            // Every view of a document and of each patient shown with it goes to the audit trail.
            var views = new List<AuditEntry> { new(0, default, userName, "view_document", document.DocumentId, null, lease.Kind == WorkKind.QaSample ? "qa sample" : "verify") };
            views.AddRange(document.Candidates.Where(c => c.Patient is not null)
                .Select(c => new AuditEntry(0, default, userName, "view_patient", document.DocumentId, c.PatientId, "candidate")));
            await store.AppendAuditAsync(views, cancellationToken);

            long queueSize = await store.CountQueueAsync(cancellationToken);
            return TypedResults.Ok(policy.ToDto(document, lease, queueSize));
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<DecisionResponse>, ProblemHttpResult>> DecideAsync(
        string documentId,
        DecisionRequest request,
        ClaimsPrincipal user,
        IVerificationStore store,
        VerificationPolicy policy,
        CancellationToken cancellationToken)
    {
        ClerkAction? action = request.Action switch
        {
            "file" or "confirm" => ClerkAction.File,
            "not_on_index" => ClerkAction.NotOnIndex,
            "rescan" => ClerkAction.Rescan,
            "skip" => ClerkAction.Skip,
            _ => null,
        };
        if (action is null)
        {
            return EndpointGroups.Problem(StatusCodes.Status400BadRequest, "Unknown action.", "Use file (with patientId), not_on_index, rescan or skip.");
        }

        if (action == ClerkAction.File && string.IsNullOrWhiteSpace(request.PatientId))
        {
            return EndpointGroups.Problem(StatusCodes.Status400BadRequest, "A patientId is needed to file a document.");
        }

        VerificationDocument? document = await store.GetDocumentAsync(documentId, cancellationToken);
        if (document is null)
        {
            return EndpointGroups.Problem(StatusCodes.Status404NotFound, "No such document.");
        }

        WorkKind kind = document.Status == Domain.DocumentStatus.AutoFiled ? WorkKind.QaSample : WorkKind.Verify;
        string? patientId = action == ClerkAction.File ? request.PatientId : null;
        bool second = policy.SecondConfirmationReasons(document, kind, action.Value, patientId).Count > 0;
        DecisionOutcome outcome = await store.DecideAsync(user.UserName(), new ClerkDecision(documentId, action.Value, patientId, second), cancellationToken);
        return outcome switch
        {
            DecisionOutcome.Recorded => TypedResults.Ok(new DecisionResponse(documentId, "recorded", action switch
            {
                ClerkAction.File => "Filed.",
                ClerkAction.NotOnIndex => "Marked not on the index.",
                _ => "Sent for rescan.",
            })),
            DecisionOutcome.AwaitingSecondConfirmation => TypedResults.Ok(new DecisionResponse(documentId, "awaiting_second_confirmation",
                "Recorded as the first confirmation (high risk, a re-file, or a patient who was not a candidate); another clerk must confirm it independently.")),
            DecisionOutcome.Disagreement => TypedResults.Ok(new DecisionResponse(documentId, "disagreement",
                "Your decision differs from an earlier confirmation: the document goes to another clerk.")),
            DecisionOutcome.Skipped => TypedResults.Ok(new DecisionResponse(documentId, "skipped", "Skipped: back in the queue.")),
            DecisionOutcome.LeaseLost => EndpointGroups.Problem(StatusCodes.Status409Conflict, "Your lease on this document has expired.",
                "Another clerk may have it now; take the next document."),
            DecisionOutcome.NotFound => EndpointGroups.Problem(StatusCodes.Status404NotFound, "No such document."),
            _ => EndpointGroups.Problem(StatusCodes.Status422UnprocessableEntity, "The decision does not apply.",
                "The patient is not on the index, is neither a candidate nor a result of your search for this document, or the document is no longer waiting for verification."),
        };
    }

    private static async Task<NoContent> ReleaseAsync(string documentId, ClaimsPrincipal user, IVerificationStore store, CancellationToken cancellationToken)
    {
        await store.ReleaseAsync(user.UserName(), documentId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<FileStreamHttpResult, ContentHttpResult, ProblemHttpResult>> PageImageAsync(
        string documentId, int page, ClaimsPrincipal user, IVerificationStore store, IBlobStore blobs, CancellationToken cancellationToken)
    {
        // Clerks see pages of the document they hold; supervisors (managers, admins) may look without a lease, and every
        // view, theirs included, is audited with on what grounds.
        string userName = user.UserName();
        bool leased = await store.HoldsLeaseAsync(userName, documentId, cancellationToken);
        bool supervisor = user.IsInRole(Roles.Manager) || user.IsInRole(Roles.Admin);
        if (!leased && !supervisor)
        {
            return EndpointGroups.Problem(StatusCodes.Status403Forbidden, "Take the document from the queue first.");
        }

        VerificationDocument? document = await store.GetDocumentAsync(documentId, cancellationToken);
        StoredPage? stored = document?.Pages.FirstOrDefault(p => p.PageNumber == page);
        if (document is null || stored is null)
        {
            return EndpointGroups.Problem(StatusCodes.Status404NotFound, "No such page.");
        }

        await store.AppendAuditAsync(userName, "view_page", document.DocumentId, null,
            string.Create(CultureInfo.InvariantCulture, $"page {page}; {(leased ? "leased" : "supervisor view without a lease")}"), cancellationToken);

        string key = BlobKeys.Preview(document.Sha256, page);
        if (await blobs.ExistsAsync(key, cancellationToken))
        {
            Stream stream = await blobs.OpenReadAsync(key, cancellationToken);
            byte[] magic = new byte[4];
            int read = await stream.ReadAtLeastAsync(magic, 4, throwOnEndOfStream: false, cancellationToken);
            stream.Position = 0;
            string type = read >= 4 && magic[0] == 0x89 && magic[1] == 0x50 ? "image/png" : "image/jpeg";
            return TypedResults.Stream(stream, type);
        }

        return TypedResults.Content(RenderWords(stored), "image/svg+xml");
    }

    /// <summary>A stand-in for a missing preview: the recognised words drawn where they were found.</summary>
    internal static string RenderWords(StoredPage page)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {page.WidthPx} {page.HeightPx}\" width=\"{page.WidthPx}\" height=\"{page.HeightPx}\">");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"#fdfdfb\"/>");
        svg.Append("<g font-family=\"DejaVu Sans, Arial, sans-serif\" fill=\"#222\">");
        foreach (Domain.Word word in page.Words)
        {
            double size = Math.Max(8, word.Box.Height * 0.8);
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{word.Box.Left}\" y=\"{word.Box.Top + (word.Box.Height * 0.82):0}\" font-size=\"{size:0}\" textLength=\"{Math.Max(1, word.Box.Width)}\" lengthAdjust=\"spacingAndGlyphs\">");
            svg.Append(System.Security.SecurityElement.Escape(word.Text));
            svg.Append("</text>");
        }

        svg.Append("</g></svg>");
        return svg.ToString();
    }
}
