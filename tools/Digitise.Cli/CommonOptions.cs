using System.CommandLine;
using Digitise.Hosting;

namespace Digitise.Cli;

/// <summary>
/// The options every command that touches data shares (--db, --blobs, --config, -v), how they become a
/// <see cref="HostRequest"/>, and the one place a failure becomes a one-line message and an exit code (<see cref="ExitCodes"/>).
/// </summary>
internal sealed class CommonOptions
{
    public Option<string> Db { get; } = new("--db")
    {
        Description = "The database: a SQLite file (default: $DIGITISE_DB, else $XDG_DATA_HOME/digitise/digitise.db, ~/.local/share/digitise/digitise.db), or a connection string a registered provider recognises.",
        DefaultValueFactory = _ => DefaultDatabasePath(),
    };

    public Option<string?> Blobs { get; } = new("--blobs")
    {
        Description = "Where sources, page images and previews are archived (default: blobs/ beside a SQLite database), or a location a registered blob provider recognises.",
    };

    public Option<string?> Config { get; } = new("--config")
    {
        Description = "JSON configuration file (default: ./digitise.json when present). Environment variables DIGITISE_<Section>__<Key> override it; command-line flags override both.",
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Log information messages to the console, not only warnings and errors." };

    public HostRequest Request(ParseResult parse, IReadOnlyDictionary<string, string?>? overrides = null) =>
        new(parse.GetValue(Db)!, parse.GetValue(Blobs), parse.GetValue(Config), overrides) { Verbose = parse.GetValue(Verbose) };

    /// <summary>Adds --db, --blobs, --config and -v to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Db);
        command.Options.Add(Blobs);
        command.Options.Add(Config);
        command.Options.Add(Verbose);
    }

    /// <summary>
    /// Runs a command's action: a failure of the <see cref="DigitiseException"/> family (or an I/O, database or cancellation
    /// failure) becomes one line on stderr and its exit code; anything else is a bug and keeps its stack trace.
    /// </summary>
    public static async Task<int> GuardAsync(Func<Task<int>> action, TextWriter? stderr = null)
    {
        stderr ??= Console.Error;
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (ExitCodes.For(ex) is int code)
        {
            await stderr.WriteLineAsync(code == ExitCodes.Interrupted ? "digitise: cancelled" : "digitise: " + OneLine(ex.Message)).ConfigureAwait(false);
            return code;
        }
    }

    public static void SetGuardedAction(Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction((parse, ct) => GuardAsync(() => action(parse, ct)));

    /// <summary>
    /// Where the database lives when --db is not given: DIGITISE_DB, else $XDG_DATA_HOME/digitise/digitise.db
    /// (~/.local/share/digitise/digitise.db).
    /// </summary>
    public static string DefaultDatabasePath()
    {
        if (Environment.GetEnvironmentVariable("DIGITISE_DB") is { Length: > 0 } fromEnv)
        {
            return fromEnv;
        }

        string data = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, "digitise", "digitise.db");
    }

    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
