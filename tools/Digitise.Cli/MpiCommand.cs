using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Digitise.Hosting;
using Digitise.Indexing;
using Digitise.Storage;

namespace Digitise.Cli;

/// <summary>
/// <c>digitise mpi import FILE [--db]</c>: applies an MPI file — CSV or a FHIR R4 Bundle of Patient resources, told by
/// content — to the database incrementally: new patients are added, changed ones rewritten, unchanged ones left alone, and
/// merged ones (CSV <c>merged_into</c>, FHIR <c>link</c> replaced-by) recorded, with their documents and candidates pointed
/// at the surviving patient. Nothing is reloaded.
/// </summary>
internal static class MpiCommand
{
    public static Command Create(CommonOptions common)
    {
        var file = new Argument<string>("FILE")
        {
            Description = "MPI file: CSV (header-named columns patient_id, nhs_number, hospital_number, family_name, given_name, date_of_birth, sex, postcode, address, " +
                "optional previous_family_name and merged_into) or a FHIR R4 Bundle of Patient resources (JSON; link type replaced-by is a merge).",
        };
        var import = new Command(
            "import",
            "Import or update patients from an MPI CSV or FHIR R4 Patient bundle: new, changed and merged patients are applied incrementally; bad rows are reported by line number.")
        {
            file,
        };
        common.AddTo(import);
        CommonOptions.SetGuardedAction(import, async (parse, ct) =>
        {
            await using DigitiseHost host = DigitiseHost.Create(common.Request(parse));
            await using IDigitiseStore store = await host.Storage.OpenStoreAsync(ct);
            return await ImportAsync(parse.GetValue(file)!, store, Console.Out, Console.Error, ct);
        });
        return new Command("mpi", "Master patient index.") { import };
    }

    /// <summary>Reads <paramref name="path"/> and applies it to <paramref name="store"/>; 0 on success, 1 when the file cannot be read as an MPI.</summary>
    public static async Task<int> ImportAsync(string path, IDigitiseStore store, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var clock = Stopwatch.StartNew();
        MpiReadResult read;
        MpiFileFormat format;
        try
        {
            read = MpiFileReader.Read(path, out format);
        }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"digitise: {path}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        foreach (MpiRowIssue issue in read.Errors)
        {
            await stderr.WriteLineAsync($"line {issue.LineNumber}: {issue.Reason}").ConfigureAwait(false);
        }

        MpiImportResult result = await store.UpsertPatientsAsync(read.Patients, cancellationToken).ConfigureAwait(false);
        MpiMergeResult merged = read.Merges.Count == 0
            ? new MpiMergeResult(0, 0, 0, [])
            : await store.MergePatientsAsync(read.Merges, cancellationToken).ConfigureAwait(false);
        foreach (string error in result.Errors.Concat(merged.Errors))
        {
            await stderr.WriteLineAsync(error).ConfigureAwait(false);
        }

        await stdout.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"{result.Imported} imported, {result.Updated} updated, {result.Unchanged} unchanged, {merged.Merged} merged " +
            $"({merged.DocumentsRepointed} documents, {merged.CandidatesRepointed} candidates repointed), {read.Errors.Count + merged.Errors.Count} bad rows " +
            $"[{(format == MpiFileFormat.FhirBundle ? "fhir" : "csv")}, {clock.Elapsed.TotalSeconds:0.0} s]")).ConfigureAwait(false);
        return 0;
    }
}
