using System.Globalization;
using System.Security.Claims;
using Digitise.Domain;
using Digitise.Storage;
using Digitise.Verify.Ui.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Digitise.Verify.Ui.Api;

/// <summary>Searching the index. The query travels in the body (never the URL) and every patient shown is audited.</summary>
internal static class PatientsApi
{
    /// <summary>Longest value accepted in each search field (longer is refused with 400 and audited).</summary>
    private const int MaxField = 64;

    public static IEndpointRouteBuilder MapPatientsApi(this IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder patients = endpoints.MapApiGroup("/api/patients", Policies.Clerk, "Patients");
        patients.MapPost("/search", SearchAsync).WithName("SearchPatients").RequireRateLimiting(RateLimits.Search)
            .WithSummary("Search the index for the leased document (documentId): by NHS number, hospital number, or family name (2+ letters) and date of birth.");
        return endpoints;
    }

    private static async Task<Results<Ok<PatientSearchResponse>, ProblemHttpResult>> SearchAsync(
        PatientSearchRequest request, ClaimsPrincipal user, IVerificationStore store, ISecurityStore security, CancellationToken cancellationToken)
    {
        string userName = user.UserName();
        if (new[] { request.NhsNumber, request.HospitalNumber, request.FamilyName, request.DateOfBirth, request.DocumentId }.Any(v => v?.Length > MaxField))
        {
            await store.AppendAuditAsync(userName, "search_refused", null, null, "a field is longer than 64 characters", cancellationToken);
            return EndpointGroups.Problem(StatusCodes.Status400BadRequest, "A search field is too long.", $"Each field has at most {MaxField} characters.");
        }

        // Searches serve the document in hand: the results are remembered for its lease, and only they (and the candidates)
        // may be chosen for it.
        if (string.IsNullOrWhiteSpace(request.DocumentId) || !await store.HoldsLeaseAsync(userName, request.DocumentId, cancellationToken))
        {
            return EndpointGroups.Problem(StatusCodes.Status403Forbidden, "Take the document from the queue first.",
                "A search belongs to the document you hold: send its documentId.");
        }

        DateOnly? dob = null;
        if (!string.IsNullOrWhiteSpace(request.DateOfBirth))
        {
            if (!DateOnly.TryParseExact(request.DateOfBirth.Trim(), ["yyyy-MM-dd", "dd/MM/yyyy", "d/M/yyyy", "dd.MM.yyyy"], CultureInfo.InvariantCulture,
                    DateTimeStyles.None, out DateOnly parsed))
            {
                return EndpointGroups.Problem(StatusCodes.Status400BadRequest, "Date of birth not understood.", "Use dd/mm/yyyy or yyyy-mm-dd.");
            }

            dob = parsed;
        }

        var query = new PatientQuery(request.NhsNumber, request.HospitalNumber, request.FamilyName, dob);
        string by = !string.IsNullOrWhiteSpace(query.NhsNumber) ? "nhs_number"
            : !string.IsNullOrWhiteSpace(query.HospitalNumber) ? "hospital_number"
            : !string.IsNullOrWhiteSpace(query.FamilyName) || dob is not null ? "name_and_date_of_birth"
            : string.Empty;
        if (by.Length == 0)
        {
            return EndpointGroups.Problem(StatusCodes.Status400BadRequest, "Give an NHS number, a hospital number, or a family name and date of birth.");
        }

        // Enough to identify one person, not to sweep the index: a whole NHS number, a hospital number, or a family name of
        // at least two letters with the date of birth.
        string? refused = by switch
        {
            "nhs_number" when query.NhsNumber!.Count(char.IsAsciiDigit) != 10 => "An NHS number has 10 digits.",
            "hospital_number" when query.HospitalNumber!.Trim().Length < 4 => "A hospital number has at least 4 characters.",
            "name_and_date_of_birth" when dob is null || query.FamilyName is null || query.FamilyName.Count(char.IsLetter) < 2 =>
                "A name search needs the family name (at least 2 letters) and the date of birth.",
            _ => null,
        };
        if (refused is not null)
        {
            return EndpointGroups.Problem(StatusCodes.Status400BadRequest, refused);
        }

        IReadOnlyList<Patient> found = await store.SearchPatientsAsync(query, 25, cancellationToken);
        await security.RecordSearchResultsAsync(userName, request.DocumentId, found.Select(p => p.PatientId).ToList(), cancellationToken);

        // The audit records how the index was searched and which patients were shown, never the search terms.
        var entries = new List<AuditEntry> { new(0, default, userName, "search_patients", request.DocumentId, null, $"by {by}: {found.Count} found") };
        entries.AddRange(found.Select(p => new AuditEntry(0, default, userName, "view_patient", request.DocumentId, p.PatientId, "search result")));
        await store.AppendAuditAsync(entries, cancellationToken);
        return TypedResults.Ok(new PatientSearchResponse(found.Select(VerificationPolicy.ToDto).ToList()));
    }
}
