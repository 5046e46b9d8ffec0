using Xunit;

namespace Digitise.Testing;

/// <summary>
/// The reference material in <c>../shared/</c> (corpora written by others), read in place and never copied. Found, in
/// order: <c>$DIGITISE_SHARED</c>; a <c>shared/</c> folder holding <c>corpora/</c> beside the repository or above it;
/// beside the repository this checkout was cloned from, when that is a local folder (so <c>git clone . /tmp/x</c>
/// runs its tests too).
/// </summary>
internal static class SharedFolder
{
    private static readonly Lazy<string> s_root = new(Find);

    /// <summary>The <c>shared/</c> folder.</summary>
    public static string Root => s_root.Value;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>
    /// Why a corpus test is skipped: only when no <c>shared/</c> folder is found at all and this is not CI (<c>CI=true</c>).
    /// When the folder is there, nothing is skipped: a corpus missing from it fails its tests, so a run with the
    /// corpora present can never pass by skipping them.
    /// </summary>
    public static string? SkipReason()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            || Environment.GetEnvironmentVariable("DIGITISE_SHARED") is { Length: > 0 })
        {
            return null; // CI, or a folder named on purpose: a missing corpus is a failure, never a skip.
        }

        try
        {
            _ = Root;
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return "needs the reference corpora (../shared/corpora: FEBRL, Splink, OCRmyPDF, Tesseract test pages, paperless-ngx, " +
                "NHS layouts), not found beside or above this checkout; README 'Reference corpora' says where each comes from. " +
                "Put shared/ beside the repository or set DIGITISE_SHARED.";
        }
    }

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("DIGITISE_SHARED") is { Length: > 0 } configured)
        {
            return Holds(configured) ? System.IO.Path.GetFullPath(configured)
                : throw new DirectoryNotFoundException($"DIGITISE_SHARED is '{configured}', which holds no corpora/ folder.");
        }

        DirectoryInfo? repository = null;
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "shared");
            if (Holds(candidate))
            {
                return candidate;
            }

            if (repository is null && File.Exists(System.IO.Path.Combine(dir.FullName, "Digitise.sln")))
            {
                repository = dir;
            }
        }

        if (repository is not null && OriginFolder(repository.FullName) is { } origin)
        {
            string candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(origin, "..", "shared"));
            if (Holds(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"../shared/ (the reference corpora) was not found: not beside or above {AppContext.BaseDirectory}, nor beside the " +
            "repository this was cloned from. Put it beside the repository or set DIGITISE_SHARED to it.");
    }

    private static bool Holds(string folder) => Directory.Exists(System.IO.Path.Combine(folder, "corpora"));

    /// <summary>The origin remote's URL when it is a local folder (<c>/path</c> or <c>file:///path</c>), else null.</summary>
    private static string? OriginFolder(string repository)
    {
        string config = System.IO.Path.Combine(repository, ".git", "config");
        if (!File.Exists(config))
        {
            return null;
        }

        bool inOrigin = false;
        foreach (string raw in File.ReadLines(config))
        {
            string line = raw.Trim();
            if (line.StartsWith('['))
            {
                inOrigin = line == "[remote \"origin\"]";
            }
            else if (inOrigin && line.StartsWith("url", StringComparison.Ordinal) && line.IndexOf('=', StringComparison.Ordinal) is int eq and > 0)
            {
                string url = line[(eq + 1)..].Trim();
                url = url.StartsWith("file://", StringComparison.Ordinal) ? url["file://".Length..] : url;
                return System.IO.Path.IsPathRooted(url) && Directory.Exists(url) ? url : null;
            }
        }

        return null;
    }
}

/// <summary>A test that reads the reference corpora: skipped (with where to get them) only when they are absent and not in CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class CorpusFactAttribute : FactAttribute
{
    public CorpusFactAttribute() => Skip = SharedFolder.SkipReason();
}

/// <summary>The <see cref="CorpusFactAttribute"/> of theories.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class CorpusTheoryAttribute : TheoryAttribute
{
    public CorpusTheoryAttribute() => Skip = SharedFolder.SkipReason();
}
