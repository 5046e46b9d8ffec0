namespace Digitise.Ocr.Tests;

internal static class TestPaths
{
    /// <summary>A path inside ../shared/ (read in place, never copied).</summary>
    public static string Shared(params string[] parts) => Digitise.Testing.SharedFolder.Path(parts);
}
