using System.Globalization;
using System.Text;
using System.Text.Json;
using Digitise.Domain;

namespace Digitise.Benchmarks;

/// <summary>
/// Synthetic MPI for the scale benchmark: UK family and given names with a skewed (Zipf) frequency distribution — the
/// commonest names from ONS surname and baby-name tables at the head, a long tail of rarer built names — unique NHS numbers
/// with valid check digits, hospital numbers, dates of birth over a century, and postcodes in real outward codes. The same
/// seed gives the same patients.
/// </summary>
internal sealed class MpiCorpus
{
    // Commonest surnames in England and Wales, most frequent first.
    private static readonly string[] Surnames =
    [
        "SMITH", "JONES", "WILLIAMS", "TAYLOR", "BROWN", "DAVIES", "EVANS", "WILSON", "THOMAS", "JOHNSON", "ROBERTS", "ROBINSON",
        "THOMPSON", "WRIGHT", "WALKER", "WHITE", "EDWARDS", "HUGHES", "GREEN", "HALL", "LEWIS", "HARRIS", "CLARKE", "PATEL",
        "JACKSON", "WOOD", "TURNER", "MARTIN", "COOPER", "HILL", "WARD", "MORRIS", "MOORE", "CLARK", "LEE", "KING", "BAKER",
        "HARRISON", "MORGAN", "ALLEN", "JAMES", "SCOTT", "PHILLIPS", "WATSON", "DAVIS", "PARKER", "PRICE", "BENNETT", "YOUNG",
        "GRIFFITHS", "MITCHELL", "KELLY", "COOK", "CARTER", "RICHARDSON", "BAILEY", "COLLINS", "BELL", "SHAW", "MURPHY", "MILLER",
        "COX", "RICHARDS", "KHAN", "MARSHALL", "ANDERSON", "SIMPSON", "ELLIS", "ADAMS", "SINGH", "BEGUM", "WILKINSON", "FOSTER",
        "CHAPMAN", "POWELL", "WEBB", "ROGERS", "GRAY", "MASON", "ALI", "HUNT", "HUSSAIN", "CAMPBELL", "MATTHEWS", "OWEN", "PALMER",
        "HOLMES", "MILLS", "BARNES", "KNIGHT", "LLOYD", "BUTLER", "RUSSELL", "BARKER", "FISHER", "STEVENS", "JENKINS", "MURRAY",
        "DIXON", "HARVEY", "GRAHAM", "PEARSON", "AHMED", "FLETCHER", "WALSH", "KAUR", "GIBSON", "HOWARD", "ANDREWS", "STEVENSON",
        "FORD", "REYNOLDS", "HAMILTON", "DUNN", "ROSS", "PARRY", "OBRIEN", "OKONKWO", "NGUYEN", "KOWALSKI", "LLEWELLYN", "MACDONALD",
        "FITZGERALD", "OCONNOR", "ABERNETHY", "PRITCHARD", "VAUGHAN", "MORGAN-JONES", "DE SOUZA", "ADEBAYO", "CHOWDHURY", "RAHMAN",
    ];

    private static readonly string[] MaleNames =
    [
        "JOHN", "DAVID", "MICHAEL", "PAUL", "ANDREW", "PETER", "JAMES", "ROBERT", "MARK", "RICHARD", "STEPHEN", "WILLIAM", "THOMAS",
        "CHRISTOPHER", "GEORGE", "DANIEL", "MATTHEW", "ANTHONY", "KEVIN", "BRIAN", "GARY", "ALAN", "IAN", "SIMON", "JACK", "HARRY",
        "OLIVER", "NOAH", "MUHAMMAD", "LEO", "ARTHUR", "OSCAR", "CHARLIE", "JOSEPH", "SAMUEL", "BENJAMIN", "RYAN", "LIAM", "KEITH",
        "COLIN", "GRAHAM", "TREVOR", "DEREK", "NIGEL", "ROY", "GARETH", "RHYS", "DYLAN", "HAMISH", "EUAN", "ARJUN", "KWAME",
    ];

    private static readonly string[] FemaleNames =
    [
        "MARGARET", "SUSAN", "SARAH", "ELIZABETH", "MARY", "PATRICIA", "JEAN", "HELEN", "JULIE", "KAREN", "LINDA", "ANNE", "CAROL",
        "EMMA", "CLAIRE", "NICOLA", "JOANNE", "RACHEL", "LISA", "AMANDA", "OLIVIA", "AMELIA", "ISLA", "AVA", "LILY", "SOPHIA", "GRACE",
        "FREYA", "EMILY", "JESSICA", "CHLOE", "LUCY", "HANNAH", "SOPHIE", "CHARLOTTE", "BARBARA", "DOROTHY", "JOAN", "SHEILA",
        "CATHERINE", "VICTORIA", "REBECCA", "LAURA", "GEMMA", "SIAN", "CERYS", "FATIMA", "AISHA", "PRIYA", "NIAMH", "SIOBHAN",
    ];

    private static readonly string[] Outwards =
    [
        "LS6", "LS8", "LS11", "LS17", "M14", "M20", "M8", "B15", "B23", "B11", "NE1", "NE6", "CF10", "CF14", "SW1A", "SW9", "E1",
        "E17", "N7", "N19", "BS8", "BS5", "L8", "L15", "EH3", "EH11", "G12", "G41", "OX4", "CB2", "NG7", "S10", "S6", "YO1",
        "HU5", "PL4", "EX4", "BD7", "HD1", "WF1", "HX1", "DN4", "LE2", "CV1", "ST4", "SA1", "LL57", "BT9", "TR1", "NR2",
    ];

    private static readonly string[] Streets = ["HIGH STREET", "CHURCH ROAD", "STATION ROAD", "MILL LANE", "PARK AVENUE", "VICTORIA ROAD", "THE GREEN", "MANOR WAY"];

    private static readonly string[] Onsets = ["B", "BR", "C", "CR", "D", "F", "G", "GR", "H", "K", "L", "M", "N", "P", "R", "S", "ST", "T", "TH", "W", "WH", "LL", "MAC", "O"];
    private static readonly string[] Vowels = ["A", "E", "I", "O", "U", "EA", "OO", "AI", "Y"];
    private static readonly string[] Codas = ["N", "RD", "LL", "TT", "NS", "RTH", "WOOD", "FORD", "TON", "LEY", "SON", "HAM", "BY", "WELL", "IN", "ER"];
    private const string InwardLetters = "ABDEFGHJLNPQRSTUWXYZ";

    private readonly Random _random;
    private readonly double[] _surnameCdf = Zipf(Surnames.Length, 0.8);
    private readonly double[] _maleCdf = Zipf(MaleNames.Length, 1.1);
    private readonly double[] _femaleCdf = Zipf(FemaleNames.Length, 1.1);
    private readonly double[] _outwardCdf = Zipf(Outwards.Length, 0.7);
    private readonly HashSet<long> _nhsNumbers = [];

    public MpiCorpus(int seed) => _random = new Random(seed);

    /// <summary>The next patient; <paramref name="idPrefix"/> + a running number is its id and hospital number.</summary>
    public Patient Next(string idPrefix, int number)
    {
        bool female = _random.Next(2) == 0;
        string family = NextSurname();
        string given = female ? FemaleNames[Pick(_femaleCdf)] : MaleNames[Pick(_maleCdf)];
        var dob = DateOnly.FromDayNumber(new DateOnly(1925, 1, 1).DayNumber + _random.Next(365 * 100));
        string postcode = Outwards[Pick(_outwardCdf)] + " " + (char)('0' + _random.Next(10))
            + InwardLetters[_random.Next(InwardLetters.Length)] + InwardLetters[_random.Next(InwardLetters.Length)];
        string? nhs = _random.NextDouble() < 0.97 ? NextNhsNumber() : null;
        string id = idPrefix + number.ToString("D7", CultureInfo.InvariantCulture);
        string address = string.Create(CultureInfo.InvariantCulture, $"{1 + _random.Next(200)} {Streets[_random.Next(Streets.Length)]}");
        return new Patient(id, nhs, "RXH" + number.ToString("D7", CultureInfo.InvariantCulture), family, given, dob, female ? "F" : "M", postcode, address)
        {
            PreviousFamilyName = female && _random.NextDouble() < 0.08 ? NextSurname() : null,
        };
    }

    public string NextSurname()
    {
        // 25% from the common-name head (Zipf: SMITH about 2%, as in England and Wales), 75% from a long tail of rarer names.
        if (_random.NextDouble() < 0.25)
        {
            return Surnames[Pick(_surnameCdf)];
        }

        return Onsets[_random.Next(Onsets.Length)] + Vowels[_random.Next(Vowels.Length)] + Codas[_random.Next(Codas.Length)]
            + (_random.Next(3) == 0 ? Vowels[_random.Next(Vowels.Length)] + Codas[_random.Next(Codas.Length)] : string.Empty);
    }

    public Random Random => _random;

    /// <summary>A fresh NHS number: nine random digits (first 4-7) and the modulus-11 check digit; never 10, never repeated.</summary>
    public string NextNhsNumber()
    {
        while (true)
        {
            long body = 400_000_000 + _random.NextInt64(400_000_000);
            int sum = 0;
            long rest = body;
            for (int weight = 2; weight <= 10; weight++)
            {
                sum += (int)(rest % 10) * weight;
                rest /= 10;
            }

            int check = 11 - (sum % 11);
            if (check == 10)
            {
                continue;
            }

            long number = (body * 10) + (check == 11 ? 0 : check);
            if (_nhsNumbers.Add(number))
            {
                return number.ToString("D10", CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>Writes <paramref name="count"/> patients as MPI CSV (the importer's header).</summary>
    public static void WriteCsv(string path, int count, int seed)
    {
        var corpus = new MpiCorpus(seed);
        string temp = path + ".tmp";
        using (var writer = new StreamWriter(temp, append: false, new UTF8Encoding(false), 1 << 16))
        {
            writer.Write("patient_id,nhs_number,hospital_number,family_name,given_name,date_of_birth,sex,postcode,address,previous_family_name\n");
            var line = new StringBuilder(160);
            for (int i = 1; i <= count; i++)
            {
                Patient p = corpus.Next("P", i);
                line.Clear()
                    .Append(p.PatientId).Append(',')
                    .Append(p.NhsNumber).Append(',')
                    .Append(p.HospitalNumber).Append(',')
                    .Append(p.FamilyName).Append(',')
                    .Append(p.GivenName).Append(',')
                    .Append(p.DateOfBirth!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',')
                    .Append(p.Sex).Append(',')
                    .Append(p.Postcode).Append(',')
                    .Append(p.Address).Append(',')
                    .Append(p.PreviousFamilyName).Append('\n');
                writer.Write(line);
            }
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Writes a FHIR R4 collection Bundle of <paramref name="count"/> Patient resources; every hundredth is a replaced-by link to its predecessor.</summary>
    public static void WriteFhirBundle(string path, int count, int seed)
    {
        var corpus = new MpiCorpus(seed);
        string temp = path + ".tmp";
        using (FileStream stream = File.Create(temp))
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("resourceType", "Bundle");
            json.WriteString("type", "collection");
            json.WriteStartArray("entry");
            for (int i = 1; i <= count; i++)
            {
                Patient p = corpus.Next("F", i);
                json.WriteStartObject();
                json.WriteStartObject("resource");
                json.WriteString("resourceType", "Patient");
                json.WriteString("id", p.PatientId);
                if (i % 100 == 0)
                {
                    json.WriteStartArray("link");
                    json.WriteStartObject();
                    json.WriteStartObject("other");
                    json.WriteString("reference", "Patient/F" + (i - 1).ToString("D7", CultureInfo.InvariantCulture));
                    json.WriteEndObject();
                    json.WriteString("type", "replaced-by");
                    json.WriteEndObject();
                    json.WriteEndArray();
                    json.WriteEndObject();
                    json.WriteEndObject();
                    continue;
                }

                json.WriteStartArray("identifier");
                if (p.NhsNumber is not null)
                {
                    json.WriteStartObject();
                    json.WriteString("system", "https://fhir.nhs.uk/Id/nhs-number");
                    json.WriteString("value", p.NhsNumber);
                    json.WriteEndObject();
                }

                json.WriteStartObject();
                json.WriteString("system", "https://trust.example.nhs.uk/Id/mrn");
                json.WriteString("value", p.HospitalNumber);
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteStartArray("name");
                json.WriteStartObject();
                json.WriteString("use", "official");
                json.WriteString("family", p.FamilyName);
                json.WriteStartArray("given");
                json.WriteStringValue(p.GivenName);
                json.WriteEndArray();
                json.WriteEndObject();
                if (p.PreviousFamilyName is not null)
                {
                    json.WriteStartObject();
                    json.WriteString("use", "maiden");
                    json.WriteString("family", p.PreviousFamilyName);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteString("gender", p.Sex == "F" ? "female" : "male");
                json.WriteString("birthDate", p.DateOfBirth!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                json.WriteStartArray("address");
                json.WriteStartObject();
                json.WriteString("use", "home");
                json.WriteStartArray("line");
                json.WriteStringValue(p.Address);
                json.WriteEndArray();
                json.WriteString("postalCode", p.Postcode);
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        File.Move(temp, path, overwrite: true);
    }

    private int Pick(double[] cdf)
    {
        int i = Array.BinarySearch(cdf, _random.NextDouble());
        return Math.Min(i < 0 ? ~i : i, cdf.Length - 1);
    }

    private static double[] Zipf(int n, double exponent)
    {
        var cdf = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            total += 1 / Math.Pow(i + 1, exponent);
            cdf[i] = total;
        }

        for (int i = 0; i < n; i++)
        {
            cdf[i] /= total;
        }

        return cdf;
    }
}
