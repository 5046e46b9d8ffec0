using System.Diagnostics;

namespace Digitise.Benchmarks;

/// <summary>What a child process printed and how it ended.</summary>
internal sealed record ChildResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs child processes with their own environment, each registered with a <see cref="PeakMemoryMonitor"/>.</summary>
internal static class ChildProcess
{
    /// <summary>OpenMP must be limited before libgomp loads, i.e. in the child's environment, not by the child itself.</summary>
    public static readonly IReadOnlyDictionary<string, string> OcrEnvironment = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["OMP_THREAD_LIMIT"] = "1",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["MSBUILDDISABLENODEREUSE"] = "1",
    };

    /// <summary>
    /// Raw Tesseract as Debian ships it: libgomp at OMP_THREAD_LIMIT=1 and Leptonica's own functions, not the serial
    /// OpenMP runtime and faster Leptonica calls Digitise loads (the reference the issue set; a second raw row runs with
    /// both, the same engine as the pipeline's, to show the pipeline's own cost).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> TesseractAsShipped = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DIGITISE_OPENMP"] = "libgomp",
        ["DIGITISE_TESSERACT_IMAGES"] = "shipped",
    };

    public static Task<ChildResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        PeakMemoryMonitor? monitor,
        CancellationToken cancellationToken) =>
        RunAsync(fileName, arguments, workingDirectory, monitor, null, cancellationToken);

    /// <summary>Runs <paramref name="fileName"/> with <see cref="OcrEnvironment"/> and then <paramref name="environment"/> added.</summary>
    public static async Task<ChildResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        PeakMemoryMonitor? monitor,
        IReadOnlyDictionary<string, string>? environment,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Only a row that asks for it runs Tesseract as Debian ships it, whatever the benchmark's own environment says.
        start.Environment.Remove("DIGITISE_OPENMP");
        start.Environment.Remove("DIGITISE_TESSERACT_IMAGES");
        foreach ((string name, string value) in OcrEnvironment.Concat(environment ?? new Dictionary<string, string>()))
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        monitor?.Add(process.Id);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new ChildResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>The full path of <paramref name="command"/> on PATH, or null.</summary>
    public static string? Which(string command)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string path = Path.Combine(dir, command);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }
}
