using System.CommandLine;
using System.Globalization;
using Digitise.Domain;
using Digitise.Hosting;
using Digitise.Storage;

namespace Digitise.Cli;

/// <summary>
/// <c>digitise export BATCH [--out DIR]</c>: rewrites a batch's output folder from the database as it stands now:
/// manifest.csv with the clerks' decisions since the run, reconciliation.txt, and a searchable PDF for every filed
/// document (those a clerk filed get theirs here). Without --out it writes where the batch's run wrote.
/// </summary>
internal static class ExportCommand
{
    private const string OutPrefix = "out:";

    public static Command Create(CommonOptions common)
    {
        var batch = new Argument<string>("BATCH") { Description = "Batch name (as printed by run; by default \"out:<absolute --out path>\"), its --out folder, or batch id." };
        var outDir = new Option<string?>("--out") { Description = "Folder to write (default: the batch's own --out folder)." };
        var fhir = new Option<bool>("--fhir") { Description = "Also write fhir/bundle.json: a FHIR R4 transaction Bundle, one DocumentReference per filed document (needs Export:OdsCode)." };
        var ndr = new Option<bool>("--ndr") { Description = "Also write ndr/: the National Document Repository's Lloyd George bulk upload (NHSNo/NofM_Lloyd_George_Record_... PDFs and metadata.csv; needs Export:GpPracticeCode). Patients it would refuse are left out, listed in ndr/rejected.csv." };
        var certificate = new Option<bool>("--certificate") { Description = "Also write certificate.pdf and certificate.csv: source files with SHA-256, reconciliation, quarantines, QA sample and misfile interval, who verified what, and whether the batch meets the release criteria (Certificate:MaxMisfileUpper95)." };
        var command = new Command("export", "Rewrite a batch's manifest.csv, reconciliation.txt and searchable PDFs with the clerks' decisions since the run.")
        {
            batch, outDir, fhir, ndr, certificate,
        };
        common.AddTo(command);
        CommonOptions.SetGuardedAction(command, async (parse, ct) =>
        {
            string database = parse.GetValue(common.Db)!;
            string name = parse.GetValue(batch)!;
            await using DigitiseHost host = DigitiseHost.Create(common.Request(parse));
            if (host.Storage.Store.Claim(database) == LocationClaim.Fallback && !File.Exists(database))
            {
                throw new CommandFailedException($"no database at {database}");
            }

            await using IDigitiseStore store = await host.Storage.OpenStoreAsync(ct);
            (long Id, string Name) b = await FindAsync(store, name, ct) ?? throw new CommandFailedException($"no batch '{name}' in {database}");
            string target = parse.GetValue(outDir) ?? (b.Name.StartsWith(OutPrefix, StringComparison.Ordinal) ? b.Name[OutPrefix.Length..] : null)
                ?? throw new CommandFailedException($"batch '{b.Name}' was not named after an output folder: say where with --out DIR");
            BatchOutputFiles files = await BatchOutput.WriteAsync(store, host.Get<IBlobStore>(), b.Id, target, searchablePdfs: true, ct);
            int filed = files.Rows.Count(r => r.Status is DocumentStatus.AutoFiled or DocumentStatus.Filed);
            int waiting = files.Rows.Count(r => r.Status == DocumentStatus.NeedsVerification);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Exported batch {b.Id} ({b.Name}): {files.Rows.Count} documents, {filed} filed (each with a searchable PDF), {waiting} still waiting for verification."));
            Console.WriteLine($"  manifest       {files.Manifest}");
            if (files.Account is { } account)
            {
                Console.WriteLine($"  reconciliation {files.Reconciliation} ({(account.Balances ? "balances" : "DOES NOT BALANCE")})");
            }

            IExportFacts exportFacts = host.Storage.OpenExportFacts();
            try
            {
                if (parse.GetValue(fhir))
                {
                    await Export.FhirExport.WriteAsync(store, exportFacts, host.Configuration, b.Id, files.Rows, target, ct);
                }

                if (parse.GetValue(ndr))
                {
                    await Export.NdrExport.WriteAsync(store, exportFacts, host.Configuration, b.Id, files.Rows, target, ct);
                }

                if (parse.GetValue(certificate) && files.Account is { } certified)
                {
                    await Export.CertificateExport.WriteAsync(store, exportFacts, host.Configuration, certified, target, ct);
                }
            }
            catch (InvalidOperationException ex)
            {
                throw new CommandFailedException(ex.Message, ExitCodes.Failed, ex);
            }
            finally
            {
                await Export.BatchCertificates.DisposeAsync(exportFacts);
            }

            return files.Account is { Balances: false } ? ExitCodes.CheckFailed : ExitCodes.Success;
        });
        return command;
    }

    private static async Task<(long Id, string Name)?> FindAsync(IDigitiseStore store, string name, CancellationToken ct)
    {
        long? id = await store.FindBatchAsync(name, ct) ?? await store.FindBatchAsync(OutPrefix + Path.GetFullPath(name), ct);
        return id is long found && await store.GetReconciliationAsync(found, ct) is { } account ? (found, account.Name) : null;
    }
}
