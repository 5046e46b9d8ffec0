namespace Digitise.Ingest.Tests;

internal static class TestPaths
{
    /// <summary>A path inside ../shared/ beside the repository (read in place, never copied).</summary>
    public static string Shared(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "corpora")))
            {
                return Path.Combine([candidate, .. parts]);
            }
        }

        throw new DirectoryNotFoundException("../shared/ (the reference corpora) was not found beside the repository.");
    }
}
