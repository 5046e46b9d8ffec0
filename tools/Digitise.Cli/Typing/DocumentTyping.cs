using System.Globalization;
using Digitise.Classification;
using Digitise.Data.Sqlite;
using Digitise.Domain;

namespace Digitise.Cli.Typing;

/// <summary>
/// The document-type classifier <c>run</c> uses (the latest model <c>digitise model train</c> stored, else the one
/// trained on the shipped seed corpus), and the training step that learns from clerks' type choices.
/// </summary>
internal static class DocumentTyping
{
    public static async Task<DocumentTypeClassifier> CreateClassifierAsync(string database, DocumentTypeOptions options, TextWriter stderr, CancellationToken cancellationToken)
    {
        (string Version, string Json)? stored = await new SqliteDocumentTypeStore(database).GetLatestModelAsync(cancellationToken).ConfigureAwait(false);
        TypeModel model = stored is { } s ? TypeModel.FromJson(s.Json) : DocumentTypeModels.Seed();
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"digitise: document types {model.Version} ({model.Classes.Count} types, {model.Examples} training documents{(stored is null ? ", the shipped seed corpus" : string.Empty)}); clerk picks below {options.ConfidenceThreshold:0.00}"));
        return new DocumentTypeClassifier(model, options);
    }

    /// <summary>Trains the next type model (dt-N) from the seed corpus and every type a clerk chose; prints what it learned from.</summary>
    public static async Task TrainAsync(string database, TextWriter stdout, CancellationToken cancellationToken)
    {
        var store = new SqliteDocumentTypeStore(database);
        IReadOnlyList<TypeLabel> labels = await store.ReadLabelsAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<TypeExample> seed = DocumentTypeModels.SeedCorpus();
        var examples = seed.Concat(labels.Select(l => new TypeExample(l.PageTexts, l.Code))).ToList();
        string version = await store.SaveModelAsync(v => TypeModel.Train(examples, v).ToJson(), TimeProvider.System.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Trained document types {version}: {seed.Count} seed documents + {labels.Count} clerk labels ({string.Join(", ", labels.GroupBy(l => l.Code).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))})."));
    }
}
