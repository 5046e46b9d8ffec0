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
