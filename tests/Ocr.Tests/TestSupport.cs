namespace Digitise.Ocr.Tests;

internal static class TestPaths
{
    /// <summary>A path inside ../shared/ (read in place, never copied).</summary>
    public static string Shared(params string[] parts) => Digitise.Testing.SharedFolder.Path(parts);

    /// <summary>A path inside this repository (found by walking up to Digitise.sln).</summary>
    public static string Repository(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Digitise.sln")))
            {
                return Path.Combine([dir.FullName, .. parts]);
            }
        }

        throw new DirectoryNotFoundException("The repository root (Digitise.sln) was not found.");
    }
}

/// <summary>Runs a program on this machine for a test (dpkg-query, nm, tesseract, tiffinfo ...) and collects what it printed.</summary>
internal static class Tool
{
    public static (int Code, string Stdout, string Stderr) Run(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using System.Diagnostics.Process process = System.Diagnostics.Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}

/// <summary>What the tests of Digitise's native libraries ask of the machine: a library's dynamic symbols, Debian's tesseract program.</summary>
internal static class NativeTools
{
    /// <summary>The names (versions dropped) <c>nm -D</c> lists for <paramref name="library"/>: <c>--defined-only</c> or <c>--undefined-only</c>.</summary>
    public static string[] Symbols(string which, string library)
    {
        Xunit.Assert.True(File.Exists(library), $"{library} is missing");
        (int code, string output, string error) = Tool.Run("nm", ["-D", which, library]);
        Xunit.Assert.True(code == 0, $"nm {library} exited {code}: {error}");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1].Split('@')[0])
            .Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Debian's <c>tesseract</c> program on <paramref name="image"/> (page segmentation 3, text to stdout), with <paramref name="environment"/> added.</summary>
    public static (string Stdout, string Stderr) Tesseract(string image, Dictionary<string, string> environment)
    {
        (int code, string stdout, string stderr) = Tool.Run("tesseract", [image, "stdout", "--psm", "3"], environment);
        Xunit.Assert.True(code == 0, $"tesseract {image} exited {code}: {stderr}");
        return (stdout, stderr);
    }
}
