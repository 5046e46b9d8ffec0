using Digitise.Domain;

namespace Digitise.Indexing.Matching;

/// <summary>A family name's phonetic keys (<see cref="Phonetic"/>), worked out once per name instead of once per comparison.</summary>
internal readonly record struct PhoneticKeys(string Soundex, string Metaphone)
{
    public static PhoneticKeys Of(string key) => new(Phonetic.Soundex(key), Phonetic.MetaphoneLite(key));

    public bool SoundAlike(PhoneticKeys other) => Soundex == other.Soundex || Metaphone == other.Metaphone;
}

/// <summary>
/// One patient's side of every comparison (<see cref="FieldComparer"/>): the keys each field compares, worked out once.
/// The matcher compares a document with a handful of candidates, but the u of a model compares every patient of a small
/// MPI with every other one (19,900 pairs for 200 patients) before a run's first decision.
/// </summary>
internal sealed class PatientSide
{
    public PatientSide(Patient patient)
    {
        ArgumentNullException.ThrowIfNull(patient);
        NhsKey = InMemoryPatientIndex.NhsKey(patient.NhsNumber);
        HospitalKey = InMemoryPatientIndex.HospitalKey(patient.HospitalNumber);
        DateOfBirth = patient.DateOfBirth;
        FamilyKey = Names.Key(patient.FamilyName);
        PreviousKey = Names.Key(patient.PreviousFamilyName);
        GivenKey = Names.Key(patient.GivenName);
        JunkGiven = Names.IsJunkGivenName(GivenKey);
        Sex = patient.Sex is "M" or "F" ? patient.Sex : string.Empty;
        PostcodeKey = PatientIndex.PostcodeKey(patient.Postcode) ?? string.Empty;
        FamilyPhonetic = PhoneticKeys.Of(FamilyKey);
    }

    public string NhsKey { get; }

    public string HospitalKey { get; }

    public DateOnly? DateOfBirth { get; }

    public string FamilyKey { get; }

    public string PreviousKey { get; }

    public string GivenKey { get; }

    public bool JunkGiven { get; }

    /// <summary>"M", "F", or empty when the index does not say.</summary>
    public string Sex { get; }

    public string PostcodeKey { get; }

    public PhoneticKeys FamilyPhonetic { get; }
}
