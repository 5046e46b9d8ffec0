using System.ComponentModel;
using System.Diagnostics;
using Digitise.Hosting;

namespace Digitise.Ingest;

/// <summary>What reading inputs needs from the machine: poppler's pdftoppm, for PDF pages that hold no image to hand over.</summary>
public static class IngestPrerequisites
{
    public static IReadOnlyList<PrerequisiteStatus> Check(IngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            var start = new ProcessStartInfo(options.PdftoppmPath, ["-v"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            using Process process = Process.Start(start) ?? throw new Win32Exception("not started");
            string banner = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            string version = banner.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "?";
            return [new PrerequisiteStatus("pdftoppm", true, $"{version} ({options.PdftoppmPath}, Debian package poppler-utils)")];
        }
        catch (Win32Exception)
        {
            return [new PrerequisiteStatus("pdftoppm", false, $"'{options.PdftoppmPath}' (Ingest:PdftoppmPath) cannot be run: install with sudo apt-get install -y poppler-utils")];
        }
    }
}
