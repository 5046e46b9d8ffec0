using Digitise.Data.Sqlite;
using System.CommandLine;
using Digitise.Hosting;
using Digitise.Storage;
using Digitise.Verify.Ui;
using Microsoft.Extensions.Hosting;

namespace Digitise.Cli;

/// <summary><c>digitise serve</c> (the verification web app) and <c>digitise users add</c> (accounts; the first admin comes from here).</summary>
internal static class ServeCommand
{
    /// <summary>Adds <c>serve</c> and <c>users</c> to the root command.</summary>
    public static void AddTo(RootCommand root, CommonOptions common)
    {
        root.Subcommands.Add(Create(common));
        root.Subcommands.Add(CreateUsers(common));
    }

    public static Command Create(CommonOptions common)
    {
        var urls = new Option<string>("--urls") { Description = "Address to listen on (loopback by default).", DefaultValueFactory = _ => VerifyApp.DefaultUrls };
        var serve = new Command("serve", "Run the verification web app (clerks' queue, managers' dashboard, operators' batches) over the database.") { urls };
        common.AddTo(serve);
        CommonOptions.SetGuardedAction(serve, async (parse, ct) =>
        {
            // The composition root checks every setting and picks the providers; the web app gets the same providers.
            await using DigitiseHost host = DigitiseHost.Create(common.Request(parse));
            string database = parse.GetValue(common.Db)!;
            await using var app = await VerifyApp.CreateAsync(
                ["--urls", parse.GetValue(urls)!],
                o =>
                {
                    o.DatabasePath = database;
                    o.Blobs = parse.GetValue(common.Blobs);
                },
                services =>
                {
                    DigitiseHost.AddProviders(services, host.Configuration);
                    DigitiseHost.AddExports(services, host.Configuration);
                },
                host.Configuration.Configuration,
                ct);
            if (await host.Get<IVerificationStore>().CountUsersAsync(ct) == 0)
            {
                Console.Error.WriteLine("digitise: no accounts yet: create the first with `digitise users add NAME --role admin --password-stdin`.");
            }

            Console.Error.WriteLine($"digitise: serving {host.Storage.Description} ({host.Storage.Store.Name}) at {parse.GetValue(urls)}");
            await app.StartAsync(ct);
            await app.WaitForShutdownAsync(ct);
            return ExitCodes.Success;
        });
        return serve;
    }

    public static Command CreateUsers(CommonOptions common)
    {
        var name = new Argument<string>("NAME") { Description = "User name (letters, digits, '.', '-', '_')." };
        var role = new Option<string>("--role") { Description = "admin, clerk, operator or manager.", Required = true };
        role.AcceptOnlyFromAmong([.. Roles.All]);
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input (first line).", Required = true };
        var add = new Command("add", "Create an account (or reset its password and role).") { name, role, passwordStdin };
        common.AddTo(add);
        CommonOptions.SetGuardedAction(add, async (parse, ct) =>
        {
            string? password = Console.In.ReadLine();
            if (string.IsNullOrEmpty(password))
            {
                throw new ConfigurationException("--password-stdin", null, "needs the password on the first line of standard input");
            }

            await using DigitiseHost host = DigitiseHost.Create(common.Request(parse));
            await host.Storage.MigrateAsync(ct);
            var passwords = new UserPasswords(host.Get<IVerificationStore>());
            try
            {
                bool created = await passwords.SaveAsync(parse.GetValue(name)!, password, parse.GetValue(role)!, "cli", ct);
                Console.WriteLine(created ? $"user {parse.GetValue(name)} added as {parse.GetValue(role)}" : $"user {parse.GetValue(name)} updated ({parse.GetValue(role)})");
                return ExitCodes.Success;
            }
            catch (ArgumentException ex)
            {
                throw new ConfigurationException("NAME or password", parse.GetValue(name), "is not acceptable: " + ex.Message.Split(" (Parameter", 2)[0], ex);
            }
        });
        return new Command("users", "Accounts of the verification app.")
        {
            add,
            Account(common, "disable", "Disable an account: its sessions end at once and it cannot sign in.", (s, n, ct) => s.SetUserDisabledAsync(n, true, "cli", ct)),
            Account(common, "enable", "Enable a disabled account again.", (s, n, ct) => s.SetUserDisabledAsync(n, false, "cli", ct)),
            Account(common, "signout", "End every session of an account (sign out everywhere).", async (s, n, ct) =>
                await s.FindUserAsync(n, ct) is not null && await s.RevokeUserSessionsAsync(n, "cli", ct) >= 0),
        };
    }

    /// <summary>One account operation (<c>users disable|enable|signout NAME</c>) on whichever database --db names; exit 1 when there is no such account.</summary>
    private static Command Account(CommonOptions common, string verb, string description, Func<SqlVerificationStore, string, CancellationToken, Task<bool>> change)
    {
        var name = new Argument<string>("NAME") { Description = "User name." };
        var command = new Command(verb, description) { name };
        common.AddTo(command);
        CommonOptions.SetGuardedAction(command, async (parse, ct) =>
        {
            await using DigitiseHost host = DigitiseHost.Create(common.Request(parse));
            await host.Storage.MigrateAsync(ct);
            string user = parse.GetValue(name)!;
            if (!await change((SqlVerificationStore)host.Get<IVerificationStore>(), user, ct))
            {
                throw new CommandFailedException($"no user {user}");
            }

            Console.WriteLine($"user {user}: {verb} done");
            return ExitCodes.Success;
        });
        return command;
    }
}
