using System.CommandLine;
using System.Globalization;
using System.Text;
using Digitise.Domain;
using Digitise.Hosting;
using Digitise.Storage;

namespace Digitise.Cli;

/// <summary><c>digitise report BATCH</c>: the batch's exact page account.</summary>
internal static class ReportCommand
{
    public static Command Create(CommonOptions common)
    {
        var batch = new Argument<string>("BATCH") { Description = "Batch name (as printed by run; by default \"out:<absolute --out path>\") or batch id." };
        var command = new Command("report", "Print a batch's reconciliation: pages in = OCRed + text layer + blank + separator + quarantined; exit 2 when it does not balance.")
        {
            batch,
        };
        common.AddTo(command);
        CommonOptions.SetGuardedAction(command, async (parse, ct) =>
        {
            await using DigitiseHost host = DigitiseHost.Create(common.Request(parse));
            await using IDigitiseStore store = await host.Storage.OpenStoreAsync(ct);
            string name = parse.GetValue(batch)!;
            long? id = await store.FindBatchAsync(name, ct) ?? await store.FindBatchAsync("out:" + Path.GetFullPath(name), ct);
            BatchReconciliation account = (id is long found ? await store.GetReconciliationAsync(found, ct) : null)
                ?? throw new CommandFailedException($"no batch '{name}' in {parse.GetValue(common.Db)}");
            Console.Write(Format(account));
            return account.Balances ? ExitCodes.Success : ExitCodes.CheckFailed;
        });
        return command;
    }

    /// <summary>"key: value" lines, for people and scripts alike.</summary>
    public static string Format(BatchReconciliation a)
    {
        var text = new StringBuilder();
        void Line(string key, object value) => text.Append(CultureInfo.InvariantCulture, $"{key,-22} {value}\n");
        // The name comes from the operator (or a dropped folder's name): neutralised in case the file is opened in a spreadsheet.
        Line("batch:", $"{a.BatchId} {Text.Csv.TextField(a.Name)}");
        Line("state:", a.State);
        Line("files:", a.Files);
        Line("files_quarantined:", a.FilesQuarantined);
        Line("files_unopened:", a.FilesUnopened);
        Line("pages_in:", a.PagesIn);
        Line("pages_ocr:", a.PagesOcr);
        Line("pages_unreadable:", a.PagesUnreadable);
        Line("pages_text_layer:", a.PagesTextLayer);
        Line("pages_blank:", a.PagesBlank);
        Line("pages_separator:", a.PagesSeparator);
        Line("pages_quarantined:", a.PagesQuarantined);
        Line("pages_accounted:", a.PagesAccounted);
        Line("balances:", a.Balances ? "yes" : "NO");
        Line("documents:", a.Documents);
        foreach ((DocumentStatus status, int count) in a.DocumentsByStatus.OrderBy(p => p.Key))
        {
            Line($"documents_{status.ToWire()}:", count);
        }

        return text.ToString();
    }
}
