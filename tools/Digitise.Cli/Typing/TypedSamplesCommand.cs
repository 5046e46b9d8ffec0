using System.CommandLine;
using System.Globalization;
using System.Text;
using Digitise.Classification;
using Digitise.Samples.Typed;

namespace Digitise.Cli.Typing;

/// <summary>
/// <c>digitise samples typed --out DIR [--documents N] [--seed N] [--families 0,1,2] [--corpus FILE]</c>: documents of
/// every document type in varied layouts, rendered as scans with <c>types.csv</c>, or (with --corpus) written as a
/// labelled text corpus such as the classifier's seed corpus (src/Classification/seed-corpus.tsv).
/// </summary>
internal static class TypedSamplesCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder for the rendered documents and types.csv.", DefaultValueFactory = _ => "typed-samples" };
        var count = new Option<int>("--documents") { Description = "Documents (cycling through the types).", DefaultValueFactory = _ => 45 };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1 };
        var families = new Option<string>("--families") { Description = "Layout families, comma separated: 0-2 train, 3 is held out.", DefaultValueFactory = _ => "0,1,2,3" };
        var corpus = new Option<string?>("--corpus") { Description = "Write a labelled text corpus (TSV) to this file instead of rendering." };
        var command = new Command("typed", "Generate documents of every document type (letters, reports, notes, consent forms...) for the type classifier.")
        {
            output, count, seed, families, corpus,
        };
        command.SetAction((parse, ct) =>
        {
            int[] chosen = parse.GetValue(families)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(f => int.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            if (chosen.Length == 0 || chosen.Any(f => f is < 0 or > 3))
            {
                Console.Error.WriteLine("digitise: --families takes numbers 0 to 3");
                return Task.FromResult(1);
            }

            if (parse.GetValue(corpus) is { } file)
            {
                var text = new StringBuilder();
                foreach (TypedText t in TypedSamples.Texts(parse.GetValue(count), parse.GetValue(seed), chosen))
                {
                    text.Append(DocumentTypeModels.WriteCorpusLine(new TypeExample(t.PageTexts, t.Code))).Append('\n');
                }

                File.WriteAllText(file, text.ToString(), new UTF8Encoding(false));
                Console.WriteLine($"{parse.GetValue(count)} labelled documents written to {file}");
                return Task.FromResult(0);
            }

            TypedSamples.WriteBatch(parse.GetValue(output)!, parse.GetValue(count), parse.GetValue(seed), chosen);
            Console.WriteLine($"{parse.GetValue(count)} documents and types.csv written to {parse.GetValue(output)}");
            return Task.FromResult(0);
        });
        return command;
    }
}
