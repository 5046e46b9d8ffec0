using System.Collections.Frozen;
using Digitise.Domain;

namespace Digitise.Indexing;

/// <summary>
/// The master patient index held in memory, with lookups by NHS number (digits only), hospital number (upper case,
/// no spaces), date of birth and family name (upper case, letters only: "O'Neill" finds "ONEILL", "MacDonald" finds "McDONALD").
/// </summary>
public sealed class InMemoryPatientIndex : IPatientIndex
{
    private readonly FrozenDictionary<string, Patient> _byId;
    private readonly ILookup<string, Patient> _byNhsNumber;
    private readonly ILookup<string, Patient> _byHospitalNumber;
    private readonly ILookup<DateOnly, Patient> _byDateOfBirth;
    private readonly ILookup<string, Patient> _byFamilyName;

    /// <exception cref="ArgumentException">Two patients share a patient id.</exception>
    public InMemoryPatientIndex(IEnumerable<Patient> patients)
    {
        Patient[] all = [.. patients];
        var byId = new Dictionary<string, Patient>(all.Length, StringComparer.Ordinal);
        for (int i = 0; i < all.Length; i++)
        {
            if (!byId.TryAdd(all[i].PatientId, all[i]))
            {
                throw new ArgumentException($"Duplicate patient id at position {i}.", nameof(patients));
            }
        }

        _byId = byId.ToFrozenDictionary(StringComparer.Ordinal);
        _byNhsNumber = Lookup(all, p => NhsKey(p.NhsNumber));
        _byHospitalNumber = Lookup(all, p => HospitalKey(p.HospitalNumber));
        _byDateOfBirth = all.Where(p => p.DateOfBirth.HasValue).ToLookup(p => p.DateOfBirth!.Value);
        _byFamilyName = Lookup(all, p => Names.Key(p.FamilyName));
    }

    public int Count => _byId.Count;

    public IReadOnlyList<Patient> FindByNhsNumber(string nhsNumber) => [.. _byNhsNumber[NhsKey(nhsNumber)]];

    public IReadOnlyList<Patient> FindByHospitalNumber(string hospitalNumber) => [.. _byHospitalNumber[HospitalKey(hospitalNumber)]];

    public IReadOnlyList<Patient> FindByDateOfBirth(DateOnly dateOfBirth) => [.. _byDateOfBirth[dateOfBirth]];

    public IReadOnlyList<Patient> FindByFamilyName(string familyName) => [.. _byFamilyName[Names.Key(familyName)]];

    public Patient? Get(string patientId) => _byId.GetValueOrDefault(patientId);

    internal static string NhsKey(string? nhsNumber) =>
        NhsNumber.TryNormalize(nhsNumber, out string? digits) ? digits : string.Empty;

    internal static string HospitalKey(string? hospitalNumber) =>
        hospitalNumber is null ? string.Empty : string.Concat(hospitalNumber.Where(char.IsLetterOrDigit)).ToUpperInvariant();

    private static ILookup<string, Patient> Lookup(Patient[] patients, Func<Patient, string> key) =>
        patients.Select(p => (Key: key(p), Patient: p))
            .Where(e => e.Key.Length > 0)
            .ToLookup(e => e.Key, e => e.Patient, StringComparer.Ordinal);
}
