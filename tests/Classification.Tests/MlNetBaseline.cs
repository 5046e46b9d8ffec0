using Microsoft.ML;
using Microsoft.ML.Data;

namespace Digitise.Classification.Tests;

/// <summary>
/// The ML.NET baseline the issue asks to measure against: the text featuriser (word and character n-grams, normalised)
/// feeding SDCA maximum entropy, trained on the same texts as the own model (pages joined).
/// </summary>
internal static class MlNetBaseline
{
    public static double Accuracy(IReadOnlyList<TypeExample> training, IReadOnlyList<TypeExample> test)
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(training.Select(Row));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(TextRow.Code))
            .Append(ml.Transforms.Text.FeaturizeText("Features", nameof(TextRow.Text)))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedCode", "PredictedLabel"));
        ITransformer model = pipeline.Fit(train);
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(test.Select(Row)));
        string[] predicted = scored.GetColumn<string>("PredictedCode").ToArray();
        return test.Where((e, i) => predicted[i] == e.Code).Count() / (double)test.Count;
    }

    private static TextRow Row(TypeExample e) => new() { Code = e.Code, Text = string.Join("\n", e.PageTexts) };

    private sealed class TextRow
    {
        public string Code { get; set; } = string.Empty;

        public string Text { get; set; } = string.Empty;
    }
}
