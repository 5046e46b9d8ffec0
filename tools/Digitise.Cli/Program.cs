using System.CommandLine;
using Digitise.Cli;
using Digitise.Hosting;
using Digitise.Samples;

// Before any other thread allocates: glibc's arena limit is fixed once more than eight arenas exist.
Digitise.Ocr.OcrPrerequisites.TuneNativeMemory();

var root = new RootCommand(
    "digitise: turns scanned health records into indexed documents. Scanned batches are OCRed, identifiers " +
    "(NHS number, hospital number, name, date of birth, postcode) are read, and each document is filed against " +
    "the master patient index or sent to a clerk to verify.");

var common = new CommonOptions();

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
var run = new Command("run", "Process a batch end to end and write DIR/manifest.csv. Exit code 0 even when documents are quarantined; see README for the other exit codes (130 when interrupted).")
{
    inputs, mpiOption, outOption, batchOption, workersOption, quietOption, separateOption,
};
common.AddTo(run);
CommonOptions.SetGuardedAction(run, (parse, ct) => RunCommand.ExecuteAsync(
    new RunRequest(parse.GetValue(inputs)!, parse.GetValue(mpiOption)!, parse.GetValue(outOption)!, parse.GetValue(common.Db)!,
        parse.GetValue(batchOption), parse.GetValue(workersOption), parse.GetValue(common.Config), parse.GetValue(quietOption))
    {
        Separate = parse.GetValue(separateOption),
        Blobs = parse.GetValue(common.Blobs),
        Verbose = parse.GetValue(common.Verbose),
    },
    Console.Out, Console.Error, ct));
root.Subcommands.Add(run);
root.Subcommands.Add(ReportCommand.Create(common));
root.Subcommands.Add(ExportCommand.Create(common));
root.Subcommands.Add(SubmitCommand.Create(common));
root.Subcommands.Add(WorkerCommand.Create(common));
root.Subcommands.Add(ModelCommand.Create(common));
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(WatchCommand.Create(common));
root.Subcommands.Add(AuditCommand.Create(common));

// digitise mpi import (CSV or FHIR R4 Patient bundle, applied incrementally)
root.Subcommands.Add(MpiCommand.Create(common));

// digitise samples generate
var samplesOut = new Option<string>("--out") { Description = "Folder to write the samples to.", DefaultValueFactory = _ => "samples" };
var samplesCount = new Option<int>("--documents") { Description = "Documents to generate.", DefaultValueFactory = _ => 40 };
var samplesSeed = new Option<int>("--seed") { Description = "Random seed (same seed, same samples).", DefaultValueFactory = _ => 1 };
var samplesFamilies = new Option<bool>("--families") { Description = "Lay documents out in the twelve layout families (6 development, 6 held out) instead of the classic four types." };
var generate = new Command("generate", "Generate realistic scanned case notes (letters, discharge summaries, lab reports, labelled continuation sheets), an MPI with the hard cases, and truth.csv.")
{
    samplesOut, samplesCount, samplesSeed, samplesFamilies,
};
CommonOptions.SetGuardedAction(generate, (parse, ct) =>
{
    SampleSet set = SampleGenerator.Generate(new SampleOptions
    {
        OutputDirectory = parse.GetValue(samplesOut)!,
        Documents = parse.GetValue(samplesCount),
        Seed = parse.GetValue(samplesSeed),
        Families = parse.GetValue(samplesFamilies),
    });
    Console.WriteLine($"{set.Documents.Count} documents written to {parse.GetValue(samplesOut)}");
    return Task.FromResult(ExitCodes.Success);
});
root.Subcommands.Add(new Command("samples", "Sample data.") { generate, Digitise.Cli.Typing.TypedSamplesCommand.Create() });

// digitise check
root.Subcommands.Add(CheckCommand.Create(common));

ServeCommand.AddTo(root, common);

return await root.Parse(args).InvokeAsync();
