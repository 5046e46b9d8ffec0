using System.Globalization;

namespace Digitise.Samples;

/// <summary>Creates synthetic patients with unique NHS and hospital numbers.</summary>
internal sealed class PatientFactory
{
    private const string InwardLetters = "ABDEFGHJLNPQRSTUWXYZ";
    private readonly Random _rng;
    private readonly HashSet<string> _nhs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _hospital = new(StringComparer.Ordinal);

    public PatientFactory(Random rng) => _rng = rng;

    public SamplePatient Create(char? sex = null, string? given = null, string? family = null, bool oldNotes = false)
    {
        char s = sex ?? (_rng.Next(2) == 0 ? 'M' : 'F');
        (string postcode, string address) = Place();
        return new SamplePatient
        {
            Nhs = NewNhs(),
            HospitalNumber = NewHospitalNumber(),
            Family = family ?? Pick(Names.Family),
            Given = given ?? Pick(s == 'M' ? Names.Male : Names.Female),
            Dob = oldNotes ? RandomDate(1920, 1975) : RandomDate(1925, 2012),
            Sex = s,
            Postcode = postcode,
            Address = address,
        };
    }

    /// <summary>A twin: same family name, date of birth and address; different given name and numbers.</summary>
    public SamplePatient Twin(SamplePatient a)
    {
        char sex = _rng.Next(2) == 0 ? a.Sex : (a.Sex == 'M' ? 'F' : 'M');
        string given;
        do
        {
            given = Pick(sex == 'M' ? Names.Male : Names.Female);
        }
        while (string.Equals(given, a.Given, StringComparison.Ordinal));

        return new SamplePatient
        {
            Nhs = NewNhs(),
            HospitalNumber = NewHospitalNumber(),
            Family = a.Family,
            Given = given,
            Dob = a.Dob,
            Sex = sex,
            Postcode = a.Postcode,
            Address = a.Address,
        };
    }

    /// <summary>A different person who shares name, sex and date of birth (but not address or numbers).</summary>
    public SamplePatient SameNameAndDob(SamplePatient a)
    {
        (string postcode, string address) = Place();
        return new SamplePatient
        {
            Nhs = NewNhs(),
            HospitalNumber = NewHospitalNumber(),
            Family = a.Family,
            Given = a.Given,
            Dob = a.Dob,
            Sex = a.Sex,
            Postcode = postcode,
            Address = address,
        };
    }

    /// <summary>Someone in the same household: family name, address and postcode shared.</summary>
    public SamplePatient Relative(SamplePatient a)
    {
        char sex = _rng.Next(2) == 0 ? 'M' : 'F';
        return new SamplePatient
        {
            Nhs = NewNhs(),
            HospitalNumber = NewHospitalNumber(),
            Family = a.Family,
            Given = Pick(sex == 'M' ? Names.Male : Names.Female),
            Dob = RandomDate(1925, 2012),
            Sex = sex,
            Postcode = a.Postcode,
            Address = a.Address,
        };
    }

    public string OtherFamily(string family)
    {
        string other;
        do
        {
            other = Pick(Names.Family);
        }
        while (string.Equals(other, family, StringComparison.Ordinal));

        return other;
    }

    private string NewNhs()
    {
        string nhs;
        do
        {
            nhs = NhsNumbers.Next(_rng);
        }
        while (!_nhs.Add(nhs));

        return nhs;
    }

    private string NewHospitalNumber()
    {
        string number;
        do
        {
            number = "RXH" + _rng.Next(1_000_000, 10_000_000).ToString("D7", CultureInfo.InvariantCulture);
        }
        while (!_hospital.Add(number));

        return number;
    }

    private (string Postcode, string Address) Place()
    {
        var (prefix, town) = Names.Areas[_rng.Next(Names.Areas.Length)];
        string postcode = string.Create(CultureInfo.InvariantCulture,
            $"{prefix}{_rng.Next(1, 20)} {_rng.Next(1, 10)}{InwardLetters[_rng.Next(InwardLetters.Length)]}{InwardLetters[_rng.Next(InwardLetters.Length)]}");
        string street = string.Create(CultureInfo.InvariantCulture, $"{_rng.Next(1, 180)} {Pick(Names.Streets)}");
        string address = _rng.Next(2) == 0 ? $"{street}, {Pick(Names.Localities)}, {town}" : $"{street}, {town}";
        return (postcode, address);
    }

    private DateOnly RandomDate(int fromYear, int toYear)
    {
        var from = new DateOnly(fromYear, 1, 1);
        var to = new DateOnly(toYear, 12, 31);
        return DateOnly.FromDayNumber(from.DayNumber + _rng.Next(to.DayNumber - from.DayNumber + 1));
    }

    private string Pick(string[] items) => items[_rng.Next(items.Length)];
}
