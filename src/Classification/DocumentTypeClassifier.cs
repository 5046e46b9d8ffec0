using System.Text;
using Digitise.Domain;

namespace Digitise.Classification;

/// <summary>
/// Gives each document a type from the site's list (<see cref="DocumentTypeOptions"/>) with the model's probability as
/// its confidence. A model class the site does not list counts as <c>other</c>; a confidence below
/// <see cref="DocumentTypeOptions.ConfidenceThreshold"/> is uncertain, and a clerk picks the type.
/// </summary>
public sealed class DocumentTypeClassifier : IDocumentClassifier
{
    private readonly TypeModel _model;
    private readonly DocumentTypeOptions _options;

    public DocumentTypeClassifier(TypeModel model, DocumentTypeOptions options)
    {
        options.Validate();
        _model = model;
        _options = options;
    }

    public string ModelVersion => _model.Version;

    public bool IsUncertain(DocumentClassification classification) =>
        classification.Source == DocumentTypeSource.Classifier && classification.Confidence < _options.ConfidenceThreshold;

    public DocumentClassification Classify(Document document) =>
        Classify(document.Pages.Where(p => p.Quality?.Blank != true).Select(p => p.Text).ToList());

    public DocumentClassification Classify(IReadOnlyList<string> pageTexts)
    {
        double[] p = _model.Predict(pageTexts);
        var byCode = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int i = 0; i < p.Length; i++)
        {
            string code = _options.Find(_model.Classes[i]) is null ? DocumentTypeOptions.OtherCode : _model.Classes[i];
            byCode[code] = byCode.GetValueOrDefault(code) + p[i];
        }

        KeyValuePair<string, double> best = byCode.MaxBy(kv => kv.Value);
        return new DocumentClassification(best.Key, Math.Round(best.Value, 4), DocumentTypeSource.Classifier, _model.Version);
    }
}

/// <summary>Where the classifier's models come from: the seed corpus shipped with the library, and clerks' labels.</summary>
public static class DocumentTypeModels
{
    /// <summary>The version of the model trained from the seed corpus alone.</summary>
    public const string SeedVersion = "dt-0";

    /// <summary>
    /// Labelled documents of every default type in three layout families, made by the sample generator's typed
    /// documents (<c>digitise samples typed --corpus</c>) and shipped inside this library, so a fresh installation
    /// types documents before any clerk has labelled one.
    /// </summary>
    public static IReadOnlyList<TypeExample> SeedCorpus()
    {
        using Stream stream = typeof(DocumentTypeModels).Assembly.GetManifestResourceStream("Digitise.Classification.seed-corpus.tsv")
            ?? throw new InvalidOperationException("The document-type seed corpus is missing from the build.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return ReadCorpus(reader);
    }

    /// <summary>Reads corpus lines <c>code TAB page TAB page ...</c>, newlines in a page written as <c>\n</c>.</summary>
    public static IReadOnlyList<TypeExample> ReadCorpus(TextReader reader)
    {
        var examples = new List<TypeExample>();
        while (reader.ReadLine() is { } line)
        {
            string[] parts = line.Split('\t');
            if (parts.Length >= 2 && parts[0].Length > 0)
            {
                examples.Add(new TypeExample(parts[1..].Select(Unescape).ToList(), parts[0]));
            }
        }

        return examples;
    }

    public static string WriteCorpusLine(TypeExample example) =>
        example.Code + "\t" + string.Join('\t', example.PageTexts.Select(Escape));

    /// <summary>The model trained on the seed corpus (built in memory at start-up: it takes well under a second).</summary>
    /// <summary>
    /// The model trained from the seed corpus alone, as shipped: trained when the library was built (<c>seed-model.json</c>,
    /// a test keeps it equal to <see cref="TrainSeed"/>), so a run loads it in milliseconds instead of training it again.
    /// </summary>
    public static TypeModel Seed()
    {
        using Stream stream = typeof(DocumentTypeModels).Assembly.GetManifestResourceStream("Digitise.Classification.seed-model.json")
            ?? throw new InvalidOperationException("The document-type seed model is missing from the build.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return TypeModel.FromJson(reader.ReadToEnd());
    }

    /// <summary>Trains the seed model from the seed corpus (a few hundred milliseconds of one core); <see cref="Seed"/> is its shipped result.</summary>
    public static TypeModel TrainSeed() => TypeModel.Train(SeedCorpus(), SeedVersion);

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", " ", StringComparison.Ordinal)
        .Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Unescape(string text)
    {
        var s = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                s.Append(text[++i] == 'n' ? '\n' : text[i]);
            }
            else
            {
                s.Append(text[i]);
            }
        }

        return s.ToString();
    }
}
