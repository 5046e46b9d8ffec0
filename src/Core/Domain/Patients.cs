namespace Digitise.Domain;

/// <summary>A patient on the master patient index (MPI). Names upper case; NHS number as 10 digits or null.</summary>
public sealed record Patient(
    string PatientId,
    string? NhsNumber,
    string? HospitalNumber,
    string FamilyName,
    string GivenName,
    DateOnly? DateOfBirth,
    string? Sex,
    string? Postcode,
    string? Address)
{
    /// <summary>An earlier family name (maiden or changed name) when the MPI records one; upper case.</summary>
    public string? PreviousFamilyName { get; init; }
}
