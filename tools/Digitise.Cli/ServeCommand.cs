using System.CommandLine;
using Digitise.Data.Sqlite;
using Digitise.Storage;
using Digitise.Verify.Ui;
using Microsoft.Extensions.Hosting;

namespace Digitise.Cli;

/// <summary><c>digitise serve</c> (the verification web app) and <c>digitise users add</c> (accounts; the first admin comes from here).</summary>
internal static class ServeCommand
{
    /// <summary>Adds <c>serve</c> and <c>users</c> to the root command.</summary>
    public static void AddTo(RootCommand root, Option<string> db, Option<string?> blobs)
    {
        root.Subcommands.Add(Create(db, blobs));
        root.Subcommands.Add(CreateUsers(db));
    }

    public static Command Create(Option<string> db, Option<string?> blobs)
    {
        var urls = new Option<string>("--urls") { Description = "Address to listen on (loopback by default).", DefaultValueFactory = _ => VerifyApp.DefaultUrls };
        var serve = new Command("serve", "Run the verification web app (clerks' queue, managers' dashboard, operators' batches) over the database. On PostgreSQL any number of instances may serve one database.")
        {
            db, blobs, urls,
        };
        serve.SetAction(async (parse, ct) =>
        {
            string path = parse.GetValue(db)!;
            string? blobStore = parse.GetValue(blobs) ?? StorageSettings.Load(null).Blobs;
            await using var app = await VerifyApp.CreateAsync(["--urls", parse.GetValue(urls)!], o =>
            {
                o.DatabasePath = path;
                o.Blobs = blobStore;
            }, ct);
            if (await (await Providers.OpenVerificationStoreAsync(path, ct)).CountUsersAsync(ct) == 0)
            {
                Console.Error.WriteLine("digitise: no accounts yet: create the first with `digitise users add NAME --role admin --password-stdin`.");
            }

            Console.Error.WriteLine($"digitise: serving {(Providers.IsPostgres(path) ? Providers.Describe(path) : Path.GetFullPath(path))} at {parse.GetValue(urls)}");
            await app.StartAsync(ct);
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return serve;
    }

    public static Command CreateUsers(Option<string> db)
    {
        var name = new Argument<string>("NAME") { Description = "User name (letters, digits, '.', '-', '_')." };
        var role = new Option<string>("--role") { Description = "admin, clerk, operator or manager.", Required = true };
        role.AcceptOnlyFromAmong([.. Roles.All]);
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input (first line).", Required = true };
        var add = new Command("add", "Create an account (or reset its password and role).") { name, role, passwordStdin, db };
        add.SetAction(async (parse, ct) =>
        {
            string? password = Console.In.ReadLine();
            if (string.IsNullOrEmpty(password))
            {
                Console.Error.WriteLine("digitise: no password on standard input.");
                return 1;
            }

            var passwords = new UserPasswords(await Providers.OpenVerificationStoreAsync(parse.GetValue(db)!, ct));
            try
            {
                bool created = await passwords.SaveAsync(parse.GetValue(name)!, password, parse.GetValue(role)!, "cli", ct);
                Console.WriteLine(created ? $"user {parse.GetValue(name)} added as {parse.GetValue(role)}" : $"user {parse.GetValue(name)} updated ({parse.GetValue(role)})");
                return 0;
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine($"digitise: {ex.Message.Split(" (Parameter", 2)[0]}");
                return 1;
            }
        });
        return new Command("users", "Accounts of the verification app.")
        {
            add,
            Account(db, "disable", "Disable an account: its sessions end at once and it cannot sign in.", (s, n, ct) => s.SetUserDisabledAsync(n, true, "cli", ct)),
            Account(db, "enable", "Enable a disabled account again.", (s, n, ct) => s.SetUserDisabledAsync(n, false, "cli", ct)),
            Account(db, "signout", "End every session of an account (sign out everywhere).", async (s, n, ct) =>
                await s.FindUserAsync(n, ct) is not null && await s.RevokeUserSessionsAsync(n, "cli", ct) >= 0),
        };
    }

    /// <summary>One account operation (<c>users disable|enable|signout NAME</c>); exit 1 when there is no such account.</summary>
    private static Command Account(Option<string> db, string verb, string description, Func<SqlVerificationStore, string, CancellationToken, Task<bool>> change)
    {
        var name = new Argument<string>("NAME") { Description = "User name." };
        var command = new Command(verb, description) { name, db };
        command.SetAction(async (parse, ct) =>
        {
            string user = parse.GetValue(name)!;
            if (!await change(await Providers.OpenVerificationStoreAsync(parse.GetValue(db)!, ct), user, ct))
            {
                Console.Error.WriteLine($"digitise: no user {user}");
                return 1;
            }

            Console.WriteLine($"user {user}: {verb} done");
            return 0;
        });
        return command;
    }
}
