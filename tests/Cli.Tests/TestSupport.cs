using System.Diagnostics;
using System.Globalization;
using Digitise.Samples;

namespace Digitise.Cli.Tests;

internal static class Repo
{
    /// <summary>The repository root (where ./digitise lives).</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Digitise.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (Digitise.sln) was not found.");
    }
}

/// <summary>Manifests and truth files as header-keyed rows, read with the product's own RFC 4180 reader.</summary>
internal static class Csv
{
    public static List<Dictionary<string, string>> Read(string path) =>
        [.. global::Digitise.Text.Csv.ReadTable(path).Rows.Select(r => new Dictionary<string, string>(r, StringComparer.Ordinal))];

    public static IReadOnlyList<string> Header(string path) => global::Digitise.Text.Csv.ReadTable(path).Header;
}

/// <summary>Runs <c>digitise run</c> in this process, as the CLI does.</summary>
internal static class Digitise
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string input, string mpi, string outDir, string db, CancellationToken ct = default)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        // Through the same guard as the command line, so a cancellation at any point (even before the first page) is exit code 130.
        int code = await CommonOptions.GuardAsync(() => RunCommand.ExecuteAsync(new RunRequest([input], mpi, outDir, db, null, null, null, Quiet: true), stdout, stderr, ct), stderr);
        return (code, stdout.ToString() + stderr);
    }

    /// <summary>Runs the real ./digitise launcher as a child process.</summary>
    public static Process Start(params string[] args) => Start(null, args);

    /// <summary>Runs the real ./digitise launcher as a child process, with extra environment variables.</summary>
    public static Process Start(IReadOnlyDictionary<string, string>? environment, params string[] args) => Start(environment, redirectInput: false, args);

    private static Process Start(IReadOnlyDictionary<string, string>? environment, bool redirectInput, string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(Repo.Root, "digitise"))
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repo.Root,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return Process.Start(start)!;
    }

    public static Task<(int ExitCode, string Stdout, string Stderr)> ExecAsync(params string[] args) => ExecWithInputAsync(null, null, args);

    public static Task<(int ExitCode, string Stdout, string Stderr)> ExecAsync(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        ExecWithInputAsync(environment, null, args);

    /// <summary>As <see cref="ExecAsync(string[])"/>, writing <paramref name="input"/> (e.g. a password for --password-stdin) to standard input.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> ExecWithInputAsync(string? input, params string[] args) => ExecWithInputAsync(null, input, args);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> ExecWithInputAsync(
        IReadOnlyDictionary<string, string>? environment, string? input, string[] args)
    {
        using Process process = Start(environment, input is not null, args);
        if (input is not null)
        {
            await process.StandardInput.WriteLineAsync(input);
            process.StandardInput.Close();
        }

        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A generated batch in a temporary folder, deleted afterwards.</summary>
public sealed class TempBatch : IDisposable
{
    public TempBatch(int documents, int seed)
    {
        Root = Directory.CreateTempSubdirectory("digitise-test-").FullName;
        Samples = SampleGenerator.Generate(new SampleOptions { OutputDirectory = Root, Documents = documents, Seed = seed });
    }

    public string Root { get; }

    public SampleSet Samples { get; }

    public string Batch => Path.Combine(Root, "batch");

    public string Mpi => Path.Combine(Root, "mpi.csv");

    public string Truth => Path.Combine(Root, "truth.csv");

    public string Out => Path.Combine(Root, "out");

    public string Db => Path.Combine(Root, "digitise.db");

    public string Manifest => Path.Combine(Out, "manifest.csv");

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

internal static class Shared
{
    /// <summary>A path inside ../shared/ (read in place, never copied).</summary>
    public static string Path(params string[] parts) => global::Digitise.Testing.SharedFolder.Path(parts);
}
