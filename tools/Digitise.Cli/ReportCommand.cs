using System.CommandLine;
using System.Globalization;
using System.Text;
using Digitise.Domain;
using Digitise.Storage;

namespace Digitise.Cli;

/// <summary><c>digitise report BATCH</c>: the batch's exact page account.</summary>
internal static class ReportCommand
{
    public static Command Create(Option<string> db)
    {
        var batch = new Argument<string>("BATCH") { Description = "Batch name (as printed by run; by default \"out:<absolute --out path>\") or batch id." };
        var command = new Command("report", "Print a batch's reconciliation: pages in = OCRed + text layer + blank + separator + quarantined; exit 2 when it does not balance.")
        {
            batch, db,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using IDigitiseStore store = await Providers.OpenStoreAsync(parse.GetValue(db)!, ct);
            string name = parse.GetValue(batch)!;
            long? id = await store.FindBatchAsync(name, ct) ?? await store.FindBatchAsync("out:" + Path.GetFullPath(name), ct);
            BatchReconciliation? account = id is long found ? await store.GetReconciliationAsync(found, ct) : null;
            if (account is null)
            {
                Console.Error.WriteLine($"digitise: no batch '{name}' in {Providers.Describe(parse.GetValue(db)!)}");
                return 1;
            }

            Console.Write(Format(account));
            return account.Balances ? 0 : 2;
        });
        return command;
    }

    /// <summary>"key: value" lines, for people and scripts alike.</summary>
    public static string Format(BatchReconciliation a)
    {
        var text = new StringBuilder();
        void Line(string key, object value) => text.Append(CultureInfo.InvariantCulture, $"{key,-22} {value}\n");
        Line("batch:", $"{a.BatchId} {a.Name}");
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
