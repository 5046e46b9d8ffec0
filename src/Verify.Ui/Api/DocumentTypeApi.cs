using System.Security.Claims;
using Digitise.Domain;
using Digitise.Storage;
using Digitise.Verify.Ui.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Digitise.Verify.Ui.Api;

/// <summary>A document type as the clerk screen lists it: code, what people read, its SNOMED CT concept and its key.</summary>
internal sealed record DocumentTypeDto(string Code, string Display, string Snomed, string SnomedDisplay, string Key);

/// <summary>A document's type: <c>uncertain</c> when the clerk must pick it before filing.</summary>
internal sealed record DocumentTypeStateDto(string? Code, string? Display, double Confidence, string Source, bool Uncertain);

internal sealed record SetDocumentTypeRequest(string? Code);

/// <summary>Document types on the clerk screen: the site's list with keys, a document's type, and the clerk's choice.</summary>
internal static class DocumentTypeApi
{
    public static IEndpointRouteBuilder MapDocumentTypeApi(this IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder group = endpoints.MapApiGroup("/api", Policies.Clerk, "Document types");
        group.MapGet("/document-types", List).WithName("DocumentTypes").WithSummary("The site's document types, each with its SNOMED CT code and its key on the clerk screen.");
        group.MapGet("/documents/{documentId}/type", GetAsync).WithName("GetDocumentType")
            .WithSummary("The leased document's type and whether the clerk must pick it (the classifier was unsure).");
        group.MapPut("/documents/{documentId}/type", SetAsync).WithName("SetDocumentType")
            .WithSummary("Records the clerk's choice of type for the leased document (a training label for the classifier).");
        return endpoints;
    }

    private static Ok<DocumentTypeDto[]> List(DocumentTypeOptions options) =>
        TypedResults.Ok(options.Effective.Select(t => new DocumentTypeDto(t.Code, t.Display, t.Snomed, t.SnomedDisplay, t.Key)).ToArray());

    private static async Task<Results<Ok<DocumentTypeStateDto>, ProblemHttpResult>> GetAsync(
        string documentId, ClaimsPrincipal user, IVerificationStore queue, IDocumentTypeStore types, DocumentTypeOptions options, CancellationToken cancellationToken)
    {
        if (!await queue.HoldsLeaseAsync(user.UserName(), documentId, cancellationToken))
        {
            return EndpointGroups.Problem(StatusCodes.Status403Forbidden, "Take the document from the queue first.");
        }

        DocumentClassification? type = await types.GetTypeAsync(documentId, cancellationToken);
        return TypedResults.Ok(ToDto(type, options));
    }

    private static async Task<Results<Ok<DocumentTypeStateDto>, ProblemHttpResult>> SetAsync(
        string documentId, SetDocumentTypeRequest request, ClaimsPrincipal user, IVerificationStore queue, IDocumentTypeStore types,
        DocumentTypeOptions options, CancellationToken cancellationToken)
    {
        if (options.Find(request.Code) is null)
        {
            return EndpointGroups.Problem(StatusCodes.Status400BadRequest, "Unknown document type.", "Use one of the codes GET /api/document-types lists.");
        }

        string userName = user.UserName();
        if (!await queue.HoldsLeaseAsync(userName, documentId, cancellationToken))
        {
            return EndpointGroups.Problem(StatusCodes.Status409Conflict, "You do not hold this document.", "Your lease may have expired; take the next document.");
        }

        if (!await types.SetClerkTypeAsync(documentId, request.Code!, cancellationToken))
        {
            return EndpointGroups.Problem(StatusCodes.Status404NotFound, "No such document.");
        }

        await queue.AppendAuditAsync(userName, "set_document_type", documentId, null, request.Code!, cancellationToken);
        return TypedResults.Ok(ToDto(await types.GetTypeAsync(documentId, cancellationToken), options));
    }

    private static DocumentTypeStateDto ToDto(DocumentClassification? type, DocumentTypeOptions options)
    {
        if (type is null)
        {
            // Stored before documents were typed (or by a run without a classifier): the clerk may set one, filing does not wait.
            return new DocumentTypeStateDto(null, null, 0, "none", Uncertain: false);
        }

        bool uncertain = type.Source == DocumentTypeSource.Classifier && type.Confidence < options.ConfidenceThreshold;
        return new DocumentTypeStateDto(type.Code, options.Find(type.Code)?.Display ?? type.Code, type.Confidence,
            DocumentClassification.SourceToWire(type.Source), uncertain);
    }
}
