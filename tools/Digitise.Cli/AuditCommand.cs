using System.CommandLine;
using System.Globalization;
using Digitise.Data.Sqlite;
using Digitise.Storage;

namespace Digitise.Cli;

/// <summary><c>digitise audit verify</c>: proves the audit trail's hash chain (integrity evidence, as BS 10008 asks).</summary>
internal static class AuditCommand
{
    public static Command Create(Option<string> db)
    {
        var verify = new Command("verify",
            "Re-compute the audit trail's hash chain from the first row. Exit 0 when intact (prints the head hash to keep elsewhere), 2 naming the first broken row.")
        {
            db,
        };
        verify.SetAction(async (parse, ct) =>
        {
            string path = parse.GetValue(db)!;
            if (!Providers.IsPostgres(path) && !File.Exists(path))
            {
                Console.Error.WriteLine($"digitise: no database at {path}");
                return 1;
            }

            SqlVerificationStore store = await Providers.OpenVerificationStoreAsync(path, ct);
            AuditChainReport report = await store.VerifyAuditChainAsync(ct);
            Console.Write(Format(report));
            return report.Intact ? 0 : 2;
        });
        return new Command("audit", "The append-only audit trail.") { verify };
    }

    /// <summary>"key: value" lines, for people and scripts alike.</summary>
    public static string Format(AuditChainReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new System.Text.StringBuilder();
        void Line(string key, object? value) => text.Append(CultureInfo.InvariantCulture, $"{key,-18} {value}\n");
        Line("rows:", report.Rows);
        Line("intact:", report.Intact ? "yes" : "NO");
        if (!report.Intact)
        {
            Line("first_broken_id:", report.FirstBrokenId);
            Line("problem:", report.Problem);
        }
        else
        {
            Line("head_hash:", report.HeadHash ?? "(empty trail)");
            if (report.Problem is not null)
            {
                Line("note:", report.Problem);
            }
        }

        return text.ToString();
    }
}
