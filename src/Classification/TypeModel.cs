using System.Text.Json;
using System.Text.Json.Serialization;

namespace Digitise.Classification;

/// <summary>A labelled training example: a document's page texts and its type code.</summary>
public sealed record TypeExample(IReadOnlyList<string> PageTexts, string Code);

/// <summary>
/// Multinomial logistic regression (softmax) over <see cref="TypeFeatures"/>: one weight per feature and type, trained
/// by stochastic gradient descent with L2 regularisation. Its probabilities are the classifier's confidence; the
/// regularisation keeps them from saturating at 1 on whatever looks only partly like its training data.
/// </summary>
public sealed class TypeModel
{

    private readonly Dictionary<string, float[]> _weights;
    private readonly float[] _bias;

    private TypeModel(string version, IReadOnlyList<string> classes, Dictionary<string, float[]> weights, float[] bias, int examples)
    {
        Version = version;
        Classes = classes;
        _weights = weights;
        _bias = bias;
        Examples = examples;
    }

    public string Version { get; }

    /// <summary>Type codes, in the order of the probability vector.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>How many examples it was trained on.</summary>
    public int Examples { get; }

    public int FeatureCount => _weights.Count;

    /// <summary>Probabilities per class (summing to 1), in <see cref="Classes"/> order.</summary>
    public double[] Predict(IReadOnlyList<string> pageTexts) => Softmax(Scores(Vector(TypeFeatures.Extract(pageTexts))));

    public (string Code, double Probability) Best(IReadOnlyList<string> pageTexts)
    {
        double[] p = Predict(pageTexts);
        int best = 0;
        for (int i = 1; i < p.Length; i++)
        {
            if (p[i] > p[best])
            {
                best = i;
            }
        }

        return (Classes[best], p[best]);
    }

    public static TypeModel Train(IReadOnlyList<TypeExample> examples, string version, int epochs = 25, double l2 = 1e-4, int seed = 17)
    {
        if (examples.Count == 0)
        {
            throw new InvalidOperationException("No document-type examples to train on.");
        }

        string[] classes = examples.Select(e => e.Code).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var classIndex = classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var featureSets = examples.Select(e => TypeFeatures.Extract(e.PageTexts)).ToList();

        // Features seen in at least two documents: one-off words (names, OCR noise) carry no type.
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (HashSet<string> set in featureSets)
        {
            foreach (string f in set)
            {
                documentFrequency[f] = documentFrequency.GetValueOrDefault(f) + 1;
            }
        }

        var weights = documentFrequency.Where(kv => kv.Value >= 2).ToDictionary(kv => kv.Key, _ => new float[classes.Length], StringComparer.Ordinal);
        var bias = new float[classes.Length];
        var model = new TypeModel(version, classes, weights, bias, examples.Count);
        var vectors = featureSets.Select(model.Vector).ToList();
        int[] labels = examples.Select(e => classIndex[e.Code]).ToArray();
        int[] order = Enumerable.Range(0, examples.Count).ToArray();
        var rng = new Random(seed);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            rng.Shuffle(order);
            double rate = 0.5 / (1 + (0.2 * epoch));
            foreach (int i in order)
            {
                (float[][] rows, float[] scales) = vectors[i];
                double[] p = Softmax(model.Scores(vectors[i]));
                for (int c = 0; c < classes.Length; c++)
                {
                    float gradient = (float)(rate * ((c == labels[i] ? 1.0 : 0.0) - p[c]));
                    bias[c] += gradient;
                    for (int r = 0; r < rows.Length; r++)
                    {
                        rows[r][c] += (gradient * scales[r]) - (float)(rate * l2 * rows[r][c]);
                    }
                }
            }
        }

        return model;
    }

    public string ToJson()
    {
        // Weights too small to move a decision are left out: the stored model stays small.
        var kept = _weights.Where(kv => kv.Value.Any(w => MathF.Abs(w) >= 0.005f))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(kv => kv.Key, kv => kv.Value.Select(w => MathF.Round(w, 4)).ToArray(), StringComparer.Ordinal);
        return JsonSerializer.Serialize(new Stored(Version, Classes.ToArray(), _bias, kept, Examples), TypeModelJson.Default.Stored);
    }

    public static TypeModel FromJson(string json)
    {
        Stored stored = JsonSerializer.Deserialize(json, TypeModelJson.Default.Stored) ?? throw new InvalidDataException("Empty document-type model.");
        if (stored.Classes.Length == 0 || stored.Bias.Length != stored.Classes.Length || stored.Weights.Values.Any(w => w.Length != stored.Classes.Length))
        {
            throw new InvalidDataException($"Document-type model {stored.Version} is malformed: its weights do not match its {stored.Classes.Length} classes.");
        }

        return new TypeModel(stored.Version, stored.Classes, new Dictionary<string, float[]>(stored.Weights, StringComparer.Ordinal), stored.Bias, stored.Examples);
    }

    /// <summary>
    /// The weight rows of the features present, each with its scale: the body's words and the layout cues (title words,
    /// labels, capitals, counts) are each scaled to unit length, so a long body of prose cannot drown out what the page
    /// says it is.
    /// </summary>
    private (float[][] Rows, float[] Scales) Vector(HashSet<string> features)
    {
        var present = features.Where(_weights.ContainsKey).ToList();
        int layout = present.Count(TypeFeatures.IsLayout);
        int body = present.Count - layout;
        float layoutScale = layout == 0 ? 0f : 1f / MathF.Sqrt(layout);
        float bodyScale = body == 0 ? 0f : 1f / MathF.Sqrt(body);
        return (present.Select(f => _weights[f]).ToArray(), present.Select(f => TypeFeatures.IsLayout(f) ? layoutScale : bodyScale).ToArray());
    }

    private double[] Scores((float[][] Rows, float[] Scales) vector)
    {
        var scores = new double[Classes.Count];
        for (int c = 0; c < scores.Length; c++)
        {
            double sum = _bias[c];
            for (int i = 0; i < vector.Rows.Length; i++)
            {
                sum += vector.Rows[i][c] * vector.Scales[i];
            }

            scores[c] = sum;
        }

        return scores;
    }

    private static double[] Softmax(double[] scores)
    {
        double max = scores.Max();
        double[] e = scores.Select(s => Math.Exp(s - max)).ToArray();
        double total = e.Sum();
        return e.Select(x => x / total).ToArray();
    }

    internal sealed record Stored(
        [property: JsonPropertyName("version")] string Version,
        [property: JsonPropertyName("classes")] string[] Classes,
        [property: JsonPropertyName("bias")] float[] Bias,
        [property: JsonPropertyName("weights")] Dictionary<string, float[]> Weights,
        [property: JsonPropertyName("examples")] int Examples);
}

/// <summary>
/// The stored model's JSON, generated at build time: no reflection, and no serializer code compiled at run time (the seed
/// model is read at every start of <c>digitise run</c>).
/// </summary>
[JsonSerializable(typeof(TypeModel.Stored))]
internal sealed partial class TypeModelJson : JsonSerializerContext;
