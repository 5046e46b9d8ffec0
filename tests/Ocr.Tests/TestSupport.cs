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
