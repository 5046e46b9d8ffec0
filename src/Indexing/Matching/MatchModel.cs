using System.Text.Json;
using System.Text.Json.Serialization;

namespace Digitise.Indexing.Matching;

/// <summary>m and u of one comparison level: P(level | same person) and P(level | different people).</summary>
public sealed record LevelParameters(double M, double U)
{
    /// <summary>log2(m / u): the match weight this level adds.</summary>
    [JsonIgnore]
    public double Weight => Math.Log2(Math.Max(M, 1e-12) / Math.Max(U, 1e-12));
}

/// <summary>What went into a trained model (counts only: no patient data).</summary>
public sealed record TrainingSummary(
    int PatientsOnIndex,
    int RandomPairs,
    int UnlabelledDocuments,
    int LabelledFiled,
    int LabelledNotOnIndex,
    int Iterations);

/// <summary>
/// A Fellegi-Sunter model: for every field, the m and u of each comparison level (see <see cref="MatchFields"/>), and the
/// share of documents whose patient is not on the index. Serialised as versioned JSON; a decision records
/// <see cref="Version"/>. Absent levels weigh 0 and are not stored.
/// </summary>
public sealed class MatchModel
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>"fs-0" for the built-in defaults; "fs-N" for the N-th trained model.</summary>
    public string Version { get; init; } = "fs-0";

    public DateTimeOffset? TrainedUtc { get; init; }

    /// <summary>Prior probability that a document's patient is not on the index (the "not on the index" state).</summary>
    public double NotOnIndexRate { get; init; } = 0.1;

    /// <summary>Field -&gt; level -&gt; m/u.</summary>
    public required Dictionary<string, Dictionary<string, LevelParameters>> Fields { get; init; }

    public TrainingSummary? Training { get; init; }

    /// <summary>log2 of the prior odds that one given patient of <paramref name="indexSize"/> is the document's, against "not on the index".</summary>
    public double PriorWeight(int indexSize) =>
        Math.Log2((1 - NotOnIndexRate) / (Math.Max(indexSize, 1) * NotOnIndexRate));

    public LevelParameters Get(string field, string level) => Fields[field][level];

    public double Weight(string field, string level) =>
        level == MatchFields.Absent ? 0 : Fields.TryGetValue(field, out var levels) && levels.TryGetValue(level, out LevelParameters? p) ? p.Weight : 0;

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="JsonException">Not a model, or a field or level is missing.</exception>
    public static MatchModel FromJson(string json)
    {
        MatchModel model = JsonSerializer.Deserialize<MatchModel>(json, Json) ?? throw new JsonException("Empty model JSON.");
        MatchModel defaults = Default();
        foreach ((string field, string[] levels) in MatchFields.Levels)
        {
            if (!model.Fields.TryGetValue(field, out var stored))
            {
                throw new JsonException($"Model {model.Version} has no m/u for {field}.");
            }

            // A model trained before a level existed (hospital_number:corrected, names_swapped) takes that level's default.
            foreach (string level in levels.Where(l => l != MatchFields.Absent && !stored.ContainsKey(l)))
            {
                stored[level] = defaults.Get(field, level);
            }
        }

        return model;
    }

    /// <summary>The built-in model: m from experience with OCRed case notes, u for an index of about a thousand patients (retrain for yours).</summary>
    public static MatchModel Default() => new()
    {
        Version = "fs-0",
        NotOnIndexRate = 0.1,
        Fields = new(StringComparer.Ordinal)
        {
            [MatchFields.Nhs] = Levels(
                (MatchFields.Exact, 0.93, 1e-6),
                (MatchFields.Corrected, 0.03, 1e-3),
                (MatchFields.Different, 0.04, 1)),
            [MatchFields.Hospital] = Levels(
                (MatchFields.Exact, 0.88, 1e-5),
                (MatchFields.Corrected, 0.02, 1e-3),
                (MatchFields.Different, 0.10, 1)),
            [MatchFields.DateOfBirth] = Levels(
                (MatchFields.Exact, 0.87, 4e-5),
                (MatchFields.Swapped, 0.01, 2e-5),
                (MatchFields.OneDigit, 0.06, 6e-4),
                (MatchFields.YearOnly, 0.02, 0.012),
                (MatchFields.Different, 0.04, 0.987)),
            [MatchFields.FamilyName] = Levels(
                (MatchFields.Exact, 0.84, 0.01),
                (MatchFields.PreviousName, 0.02, 1e-4),
                (MatchFields.NamesSwapped, 0.01, 1e-4),
                (MatchFields.JaroWinklerHigh, 0.06, 0.002),
                (MatchFields.Phonetic, 0.02, 0.01),
                (MatchFields.JaroWinklerMid, 0.02, 0.03),
                (MatchFields.Different, 0.04, 0.95)),
            [MatchFields.GivenName] = Levels(
                (MatchFields.Exact, 0.82, 0.02),
                (MatchFields.Nickname, 0.04, 0.002),
                (MatchFields.NamesSwapped, 0.01, 0.01),
                (MatchFields.Close, 0.05, 0.005),
                (MatchFields.Initial, 0.04, 0.05),
                (MatchFields.Different, 0.05, 0.92)),
            [MatchFields.Sex] = Levels(
                (MatchFields.Exact, 0.97, 0.5),
                (MatchFields.Different, 0.03, 0.5)),
            [MatchFields.Postcode] = Levels(
                (MatchFields.Exact, 0.70, 1e-3),
                (MatchFields.Outward, 0.08, 0.02),
                (MatchFields.Different, 0.22, 0.979)),
        },
    };

    private static Dictionary<string, LevelParameters> Levels(params (string Level, double M, double U)[] levels) =>
        levels.ToDictionary(l => l.Level, l => new LevelParameters(l.M, l.U), StringComparer.Ordinal);
}
