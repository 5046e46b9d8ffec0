using System.CommandLine;
using Digitise.Cli;
using Digitise.Data.Sqlite;
using Digitise.Indexing;
using Digitise.Ocr;
using Digitise.Samples;
using Digitise.Storage;

var root = new RootCommand(
    "digitise: turns scanned health records into indexed documents. Scanned batches are OCRed, identifiers " +
    "(NHS number, hospital number, name, date of birth, postcode) are read, and each document is filed against " +
    "the master patient index or sent to a clerk to verify.");

var dbOption = new Option<string>("--db")
{
    Description = "SQLite database file, or a PostgreSQL connection string (Host=...;Database=...). Default: $DIGITISE_DB, else $XDG_DATA_HOME/digitise/digitise.db (~/.local/share/digitise/digitise.db).",
    DefaultValueFactory = _ => Settings.DefaultDatabasePath(),
};
var configOption = new Option<string?>("--config")
{
    Description = "JSON configuration file (default: ./digitise.json when present). Environment variables DIGITISE_<Section>__<Key> override it.",
};

// digitise run
var inputs = new Argument<string[]>("INPUT")
{
    Description = "Scanned files or folders (searched recursively): TIFF (single/multi-page; G4, LZW, uncompressed), PNG, JPEG, PDF (image or text).",
    Arity = ArgumentArity.OneOrMore,
};
var mpiOption = new Option<string>("--mpi")
{
    Description = "Master patient index CSV (columns patient_id, nhs_number, hospital_number, family_name, given_name, date_of_birth (ISO), sex, postcode, address; others ignored). Imported into the database before the run.",
    Required = true,
};
var outOption = new Option<string>("--out")
{
    Description = "Output folder: DIR/manifest.csv gets one row per document (source_file, document_id, first_page, last_page, status, patient_id, match_score, reason, pages, mean_confidence, sha256).",
    Required = true,
};
var batchOption = new Option<string?>("--batch") { Description = "Batch name (default: derived from --out, so rerunning the same command resumes the same batch)." };
var workersOption = new Option<int?>("--workers") { Description = "OCR workers, one Tesseract engine each (default: one per core; config Ocr:Workers)." };
var quietOption = new Option<bool>("--quiet", "-q") { Description = "Print only the summary." };
var separateOption = new Option<string?>("--separate")
{
    Description = "How one input file splits into documents: none (default: one file, one document), or a comma list of patch (patch code T sheets), barcode (barcode separator/cover sheets; a cover sheet's NHS/hospital number identifies its document), blank (runs of Separation:BlankRun blank pages), identifiers (a page naming a different patient); or all. Config Separation:Modes.",
};
var run = new Command("run", "Process a batch end to end and write DIR/manifest.csv. Exit code 0 even when documents are quarantined; non-zero only when the run itself failed (130 when interrupted).")
{
    inputs, mpiOption, outOption, dbOption, batchOption, workersOption, configOption, quietOption, separateOption,
};
run.SetAction((parse, ct) => Guard(() => RunCommand.ExecuteAsync(
    new RunRequest(parse.GetValue(inputs)!, parse.GetValue(mpiOption)!, parse.GetValue(outOption)!, parse.GetValue(dbOption)!,
        parse.GetValue(batchOption), parse.GetValue(workersOption), parse.GetValue(configOption), parse.GetValue(quietOption))
    {
        Separate = parse.GetValue(separateOption),
    },
    Console.Out, Console.Error, ct)));
root.Subcommands.Add(run);
var blobsOption = new Option<string?>("--blobs")
{
    Description = "Blob store: a folder, or an Azure Storage connection string (container Storage:Container, default 'digitise'). Default: Storage:Blobs, else blobs/ beside a SQLite database.",
};
var queueOption = new Option<string?>("--queue")
{
    Description = "Work queue: an Azure Storage connection string (queue Storage:QueueName, default 'digitise'). Default: Storage:Queue.",
};
root.Subcommands.Add(ReportCommand.Create(dbOption));
root.Subcommands.Add(ExportCommand.Create(dbOption, blobsOption, configOption));
root.Subcommands.Add(SubmitCommand.Create(dbOption, blobsOption, queueOption, configOption));
root.Subcommands.Add(WorkerCommand.Create(dbOption, blobsOption, queueOption, configOption));
root.Subcommands.Add(ModelCommand.Create(dbOption));
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(WatchCommand.Create(dbOption, blobsOption, queueOption, configOption));
root.Subcommands.Add(AuditCommand.Create(dbOption));

// digitise mpi import (CSV or FHIR R4 Patient bundle, applied incrementally)
root.Subcommands.Add(MpiCommand.Create(dbOption));

// digitise samples generate
var samplesOut = new Option<string>("--out") { Description = "Folder to write the samples to.", DefaultValueFactory = _ => "samples" };
var samplesCount = new Option<int>("--documents") { Description = "Documents to generate.", DefaultValueFactory = _ => 40 };
var samplesSeed = new Option<int>("--seed") { Description = "Random seed (same seed, same samples).", DefaultValueFactory = _ => 1 };
var samplesFamilies = new Option<bool>("--families") { Description = "Lay documents out in the twelve layout families (6 development, 6 held out) instead of the classic four types." };
var generate = new Command("generate", "Generate realistic scanned case notes (letters, discharge summaries, lab reports, labelled continuation sheets), an MPI with the hard cases, and truth.csv.")
{
    samplesOut, samplesCount, samplesSeed, samplesFamilies,
};
generate.SetAction((parse, ct) => Guard(() =>
{
    SampleSet set = SampleGenerator.Generate(new SampleOptions
    {
        OutputDirectory = parse.GetValue(samplesOut)!,
        Documents = parse.GetValue(samplesCount),
        Seed = parse.GetValue(samplesSeed),
        Families = parse.GetValue(samplesFamilies),
    });
    Console.WriteLine($"{set.Documents.Count} documents written to {parse.GetValue(samplesOut)}");
    return Task.FromResult(0);
}));
root.Subcommands.Add(new Command("samples", "Sample data.") { generate, Digitise.Cli.Typing.TypedSamplesCommand.Create() });

// digitise check
var check = new Command("check", "Check that the OCR libraries and language data are installed.");
check.SetAction((parse, ct) => Guard(() =>
{
    Console.WriteLine(TesseractEngine.Probe(new OcrOptions()));
    return Task.FromResult(0);
}));
root.Subcommands.Add(check);

ServeCommand.AddTo(root, dbOption, blobsOption);

return await root.Parse(args).InvokeAsync();

// Failures of the run itself get a one-line message and exit code 1; bad input never reaches here (it is quarantined).
static async Task<int> Guard(Func<Task<int>> action)
{
    try
    {
        return await action();
    }
    catch (OperationCanceledException)
    {
        Console.Error.WriteLine("digitise: cancelled");
        return 130;
    }
    catch (Exception ex) when (ex is OcrUnavailableException or FileNotFoundException or DirectoryNotFoundException or InvalidOperationException or IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"digitise: {ex.Message}");
        return 1;
    }
}
