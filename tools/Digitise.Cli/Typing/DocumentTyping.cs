using System.Globalization;
using Digitise.Classification;
using Digitise.Domain;
using Digitise.Hosting;
using Digitise.Storage;

namespace Digitise.Cli.Typing;

/// <summary>
/// The document-type classifier <c>run</c> and <c>worker</c> use (the latest model <c>digitise model train</c> stored, else the
/// one trained on the shipped seed corpus), and the training step that learns from clerks' type choices: the same on
/// every store, through <see cref="IDocumentTypeStore"/>.
/// </summary>
internal static class DocumentTyping
{
    public static async Task<DocumentTypeClassifier> CreateClassifierAsync(DigitiseStorage storage, DocumentTypeOptions options, TextWriter stderr, CancellationToken cancellationToken)
    {
        IDocumentTypeStore store = storage.OpenDocumentTypeStore();
        (string Version, string Json)? stored;
        try
        {
            stored = await store.GetLatestModelAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await DisposeAsync(store).ConfigureAwait(false);
        }

        TypeModel model = stored is { } s ? TypeModel.FromJson(s.Json) : DocumentTypeModels.Seed();
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"digitise: document types {model.Version} ({model.Classes.Count} types, {model.Examples} training documents{(stored is null ? ", the shipped seed corpus" : string.Empty)}); clerk picks below {options.ConfidenceThreshold:0.00}"));
        return new DocumentTypeClassifier(model, options);
    }

    /// <summary>Trains the next type model (dt-N) from the seed corpus and every type a clerk chose; prints what it learned from.</summary>
    public static async Task TrainAsync(DigitiseStorage storage, TextWriter stdout, CancellationToken cancellationToken)
    {
        IDocumentTypeStore store = storage.OpenDocumentTypeStore();
        try
        {
            IReadOnlyList<TypeLabel> labels = await store.ReadLabelsAsync(cancellationToken).ConfigureAwait(false);
            IReadOnlyList<TypeExample> seed = DocumentTypeModels.SeedCorpus();
            var examples = seed.Concat(labels.Select(l => new TypeExample(l.PageTexts, l.Code))).ToList();
            string version = await store.SaveModelAsync(v => TypeModel.Train(examples, v).ToJson(), TimeProvider.System.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Trained document types {version}: {seed.Count} seed documents + {labels.Count} clerk labels ({string.Join(", ", labels.GroupBy(l => l.Code).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))})."));
        }
        finally
        {
            await DisposeAsync(store).ConfigureAwait(false);
        }
    }

    private static ValueTask DisposeAsync(IDocumentTypeStore store) => store is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;
}
