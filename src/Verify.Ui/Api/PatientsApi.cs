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
    public static IEndpointRouteBuilder MapPatientsApi(this IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder patients = endpoints.MapApiGroup("/api/patients", Policies.Clerk, "Patients");
        patients.MapPost("/search", SearchAsync).WithName("SearchPatients")
            .WithSummary("Search the index by NHS number, hospital number, or family name and date of birth.");
        return endpoints;
    }

    private static async Task<Results<Ok<PatientSearchResponse>, ProblemHttpResult>> SearchAsync(
        PatientSearchRequest request, ClaimsPrincipal user, IVerificationStore store, CancellationToken cancellationToken)
    {
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

        if (by == "name_and_date_of_birth" && (string.IsNullOrWhiteSpace(query.FamilyName) || dob is null))
        {
            return EndpointGroups.Problem(StatusCodes.Status400BadRequest, "A name search needs both the family name and the date of birth.");
        }

        IReadOnlyList<Patient> found = await store.SearchPatientsAsync(query, 25, cancellationToken);
        string userName = user.UserName();

        // The audit records how the index was searched and which patients were shown, never the search terms.
        var entries = new List<AuditEntry> { new(0, default, userName, "search_patients", null, null, $"by {by}: {found.Count} found") };
        entries.AddRange(found.Select(p => new AuditEntry(0, default, userName, "view_patient", null, p.PatientId, "search result")));
        await store.AppendAuditAsync(entries, cancellationToken);
        return TypedResults.Ok(new PatientSearchResponse(found.Select(VerificationPolicy.ToDto).ToList()));
    }
}
