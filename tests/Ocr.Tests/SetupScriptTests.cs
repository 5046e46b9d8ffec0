using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Digitise.Ocr.Interop;

namespace Digitise.Ocr.Tests;

/// <summary>
/// <c>scripts/setup</c> is checked, not hoped: every native library the code imports has a package there that really holds
/// it, and every package it installs exists in Debian 12 (a fresh machine's first run once stopped on a library the
/// script did not install).
/// </summary>
public sealed partial class SetupScriptTests
{
    private static readonly string Setup = Path.Combine(RepositoryRoot(), "scripts", "setup");

    [Fact]
    public void Code_EveryLibraryImportNamesALibraryInTheNativeTable()
    {
        string[] imported = [.. typeof(OcrOptions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<DllImportAttribute>()?.Value)
            .OfType<string>()
            .Distinct()];

        Assert.NotEmpty(imported);
        Assert.All(imported, name => Assert.Contains(Libraries.Native, l => l.Name == name));
    }

    [Fact]
    public void ScriptsSetup_InstallsAPackageHoldingEveryNativeLibrary()
    {
        Dictionary<string, string> probes = NeedLines().ToDictionary(n => n.Probe, n => n.Package, StringComparer.Ordinal);
        foreach (NativeLibraryInfo library in Libraries.Native.Where(l => l.Name != "libc"))
        {
            string file = "/usr/lib/x86_64-linux-gnu/" + library.Soname;
            Assert.True(probes.TryGetValue(file, out string? package), $"scripts/setup has no 'need PACKAGE {file}' line for {library.Soname}");

            // The file on this machine belongs to the package the table names, and setup's package is it or pulls it in.
            (int code, string owner) = Run("dpkg-query", "-S", file);
            Assert.True(code == 0, $"{file} is not installed by any package here (dpkg-query -S): run scripts/setup");
            Assert.Equal(library.Package, owner.Split(':')[0].Trim());
            if (package != library.Package)
            {
                (_, string depends) = Run("apt-cache", "depends", "--no-recommends", "--no-suggests", package!);
                Assert.True(Regex.IsMatch(depends, $@"Depends: {Regex.Escape(library.Package)}\b"), $"scripts/setup installs {package} for {library.Soname}, which does not depend on {library.Package}");
            }
        }
    }

    [Fact]
    public void ScriptsSetup_EveryPackageExistsInDebian12()
    {
        string release = File.ReadAllText("/etc/os-release");
        Assert.True(release.Contains("ID=debian", StringComparison.Ordinal) && release.Contains("VERSION_ID=\"12\"", StringComparison.Ordinal),
            "this check asks Debian 12's package lists; it runs on Debian 12 (as CI does)");

        string[] packages = [.. NeedLines().Select(n => n.Package).Concat(AddedPackages()).Distinct(StringComparer.Ordinal)];
        Assert.Contains("libzbar0", packages);
        var unknown = packages.Where(p => Run("dpkg-query", "-W", p).Code != 0 && Run("apt-cache", "show", "--no-all-versions", p).Code != 0).ToList();
        Assert.True(unknown.Count == 0, "not a Debian 12 package: " + string.Join(", ", unknown));
    }

    private static IEnumerable<(string Package, string Probe)> NeedLines() =>
        NeedLine().Matches(File.ReadAllText(Setup)).Select(m => (m.Groups[1].Value, m.Groups[2].Value));

    private static IEnumerable<string> AddedPackages() =>
        AddedLine().Matches(File.ReadAllText(Setup)).SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [GeneratedRegex(@"^\s*need\s+([a-z0-9][a-z0-9.+-]+)\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex NeedLine();

    [GeneratedRegex(@"packages\+=\(([^)$]*)\)")]
    private static partial Regex AddedLine();

    private static (int Code, string Output) Run(string program, params string[] arguments)
    {
        (int code, string output, _) = Tool.Run(program, arguments);
        return (code, output);
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Digitise.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Digitise.sln not found above " + AppContext.BaseDirectory);
    }
}
