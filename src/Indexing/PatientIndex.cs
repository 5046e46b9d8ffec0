using System.Globalization;
using Digitise.Domain;

namespace Digitise.Indexing;

/// <summary>What an incremental update did.</summary>
public sealed record IndexUpdateResult(int Added, int Changed, int Unchanged, int Merged);

/// <summary>
/// The master patient index in memory with the blocking indexes of the probabilistic matcher — NHS/CHI number, hospital
/// number, date of birth, phonetic family name (Soundex) + birth year, family + given name, postcode — and family-name
/// frequencies for term-frequency adjustment. Updated incrementally (new, changed and merged patients) without a reload;
/// safe for many readers and one writer at a time.
/// </summary>
public sealed class PatientIndex : IPatientIndex
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<string, Patient> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _mergedInto = new(StringComparer.Ordinal);
    private readonly Block<string> _nhs = new(StringComparer.Ordinal);
    private readonly Block<string> _hospital = new(StringComparer.Ordinal);
    private readonly Block<DateOnly> _dob = new(EqualityComparer<DateOnly>.Default);
    private readonly Block<string> _family = new(StringComparer.Ordinal);
    private readonly Block<string> _phoneticYear = new(StringComparer.Ordinal);
    private readonly Block<string> _familyGiven = new(StringComparer.Ordinal);
    private readonly Block<string> _postcode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _familyCounts = new(StringComparer.Ordinal);

    public PatientIndex(IEnumerable<Patient>? patients = null)
    {
        if (patients is not null)
        {
            Apply(patients);
        }
    }

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _byId.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Adds new patients and replaces changed ones (by patient id); a patient id that was merged away is revived.</summary>
    public IndexUpdateResult Apply(IEnumerable<Patient> patients)
    {
        ArgumentNullException.ThrowIfNull(patients);
        int added = 0, changed = 0, unchanged = 0;
        _lock.EnterWriteLock();
        try
        {
            foreach (Patient patient in patients)
            {
                if (_byId.TryGetValue(patient.PatientId, out Patient? old))
                {
                    if (old == patient && old.PreviousFamilyName == patient.PreviousFamilyName)
                    {
                        unchanged++;
                        continue;
                    }

                    RemoveKeys(old);
                    changed++;
                }
                else
                {
                    added++;
                    _mergedInto.Remove(patient.PatientId);
                }

                _byId[patient.PatientId] = patient;
                AddKeys(patient);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        return new IndexUpdateResult(added, changed, unchanged, 0);
    }

    /// <summary>
    /// Records that <paramref name="retiredId"/> is the same person as <paramref name="survivorId"/> (an MPI merge): the retired
    /// record leaves the blocking indexes and <see cref="Get"/> of its id answers the survivor.
    /// </summary>
    /// <returns>False when either id is unknown.</returns>
    public bool Merge(string retiredId, string survivorId)
    {
        _lock.EnterWriteLock();
        try
        {
            if (retiredId == survivorId || !_byId.TryGetValue(retiredId, out Patient? retired) || !_byId.ContainsKey(Resolve(survivorId)))
            {
                return false;
            }

            RemoveKeys(retired);
            _byId.Remove(retiredId);
            _mergedInto[retiredId] = Resolve(survivorId);
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Removes a patient (deleted from the MPI).</summary>
    public bool Remove(string patientId)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_byId.Remove(patientId, out Patient? old))
            {
                return false;
            }

            RemoveKeys(old);
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>The surviving patient id for an id that was merged away; the id itself otherwise.</summary>
    public string ResolveMerged(string patientId)
    {
        _lock.EnterReadLock();
        try
        {
            return Resolve(patientId);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public Patient? Get(string patientId)
    {
        _lock.EnterReadLock();
        try
        {
            return _byId.GetValueOrDefault(Resolve(patientId));
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Every patient, in no particular order (a snapshot).</summary>
    public IReadOnlyList<Patient> All()
    {
        _lock.EnterReadLock();
        try
        {
            return [.. _byId.Values];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public IReadOnlyList<Patient> FindByNhsNumber(string nhsNumber) => Read(_nhs, InMemoryPatientIndex.NhsKey(nhsNumber));

    public IReadOnlyList<Patient> FindByHospitalNumber(string hospitalNumber) => Read(_hospital, InMemoryPatientIndex.HospitalKey(hospitalNumber));

    public IReadOnlyList<Patient> FindByDateOfBirth(DateOnly dateOfBirth) => Read(_dob, dateOfBirth);

    public IReadOnlyList<Patient> FindByFamilyName(string familyName) => Read(_family, Names.Key(familyName));

    /// <summary>Everyone whose family name (or previous family name) has the same Soundex code and who was born in <paramref name="birthYear"/>.</summary>
    public IReadOnlyList<Patient> FindByPhoneticFamilyName(string familyName, int birthYear) =>
        Read(_phoneticYear, PhoneticYearKey(Names.Key(familyName), birthYear));

    public IReadOnlyList<Patient> FindByFamilyAndGivenName(string familyName, string givenName) =>
        Read(_familyGiven, Names.Key(familyName) + "|" + Names.Key(givenName));

    public IReadOnlyList<Patient> FindByPostcode(string postcode) => PostcodeKey(postcode) is { } key ? Read(_postcode, key) : [];

    /// <summary>Share of the index with this family name (a <see cref="Names.Key"/>): the u of an exact agreement on it.</summary>
    public double FamilyNameFrequency(string familyKey)
    {
        _lock.EnterReadLock();
        try
        {
            return _byId.Count == 0 ? 0 : (double)_familyCounts.GetValueOrDefault(familyKey) / _byId.Count;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Family-name key -&gt; count: the term frequencies (a snapshot).</summary>
    public IReadOnlyDictionary<string, int> FamilyNameCounts()
    {
        _lock.EnterReadLock();
        try
        {
            return new Dictionary<string, int>(_familyCounts, StringComparer.Ordinal);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Upper case, no spaces, letter O read as zero (OCR and typists confuse them).</summary>
    internal static string? PostcodeKey(string? postcode)
    {
        if (string.IsNullOrWhiteSpace(postcode))
        {
            return null;
        }

        string compact = string.Concat(postcode.Where(char.IsLetterOrDigit)).ToUpperInvariant().Replace('O', '0');
        return compact.Length == 0 ? null : compact;
    }

    /// <summary>The outward code (district) of a compact UK postcode key; null when it is not one.</summary>
    internal static string? OutwardKey(string compactKey) =>
        compactKey.Length is >= 5 and <= 7 && char.IsAsciiDigit(compactKey[^3]) ? compactKey[..^3] : null;

    internal static string PhoneticYearKey(string familyKey, int year) =>
        Phonetic.Soundex(familyKey) + ":" + year.ToString(CultureInfo.InvariantCulture);

    private string Resolve(string patientId)
    {
        string id = patientId;
        for (int hops = 0; hops < 16 && _mergedInto.TryGetValue(id, out string? next); hops++)
        {
            id = next;
        }

        return id;
    }

    private IReadOnlyList<Patient> Read<TKey>(Block<TKey> block, TKey key)
        where TKey : notnull
    {
        _lock.EnterReadLock();
        try
        {
            return block.Get(key);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private void AddKeys(Patient p) => UpdateKeys(p, add: true);

    private void RemoveKeys(Patient p) => UpdateKeys(p, add: false);

    private void UpdateKeys(Patient p, bool add)
    {
        void Do<TKey>(Block<TKey> block, TKey? key)
            where TKey : notnull
        {
            if (key is null || key is string { Length: 0 })
            {
                return;
            }

            if (add)
            {
                block.Add(key, p);
            }
            else
            {
                block.Remove(key, p);
            }
        }

        Do(_nhs, InMemoryPatientIndex.NhsKey(p.NhsNumber));
        Do(_hospital, InMemoryPatientIndex.HospitalKey(p.HospitalNumber));
        Do(_postcode, PostcodeKey(p.Postcode));
        string family = Names.Key(p.FamilyName);
        string previous = Names.Key(p.PreviousFamilyName);
        Do(_family, family);
        Do(_familyGiven, family.Length == 0 ? null : family + "|" + Names.Key(p.GivenName));
        if (previous.Length > 0 && previous != family)
        {
            Do(_family, previous);
        }

        if (p.DateOfBirth is DateOnly dob)
        {
            Do(_dob, dob);
            Do(_phoneticYear, family.Length == 0 ? null : PhoneticYearKey(family, dob.Year));
            if (previous.Length > 0 && Phonetic.Soundex(previous) != Phonetic.Soundex(family))
            {
                Do(_phoneticYear, PhoneticYearKey(previous, dob.Year));
            }
        }

        if (family.Length > 0)
        {
            int count = _familyCounts.GetValueOrDefault(family) + (add ? 1 : -1);
            if (count > 0)
            {
                _familyCounts[family] = count;
            }
            else
            {
                _familyCounts.Remove(family);
            }
        }
    }

    /// <summary>Key -&gt; patients; most keys hold one or a few, so lists beat sets.</summary>
    private sealed class Block<TKey>(IEqualityComparer<TKey> comparer)
        where TKey : notnull
    {
        private readonly Dictionary<TKey, List<Patient>> _map = new(comparer);

        public IReadOnlyList<Patient> Get(TKey key) => _map.TryGetValue(key, out List<Patient>? list) ? [.. list] : [];

        public void Add(TKey key, Patient patient)
        {
            if (!_map.TryGetValue(key, out List<Patient>? list))
            {
                _map[key] = list = new List<Patient>(1);
            }

            // A patient is added once per key (its keys are removed before a change), so no Contains: on a common name's
            // block (tens of thousands of patients) a value-equality scan per add made building a million-patient index quadratic.
            list.Add(patient);
        }

        public void Remove(TKey key, Patient patient)
        {
            if (_map.TryGetValue(key, out List<Patient>? list))
            {
                for (int i = list.Count - 1; i >= 0; i--)
                {
                    if (ReferenceEquals(list[i], patient))
                    {
                        list.RemoveAt(i);
                        break;
                    }
                }

                if (list.Count == 0)
                {
                    _map.Remove(key);
                }
            }
        }
    }
}
