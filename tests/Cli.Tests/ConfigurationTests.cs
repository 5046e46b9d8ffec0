using System.Globalization;
using Digitise.Hosting;
using Digitise.Indexing;
using Digitise.Ocr;
using Digitise.Pipeline;

namespace Digitise.Cli.Tests;

/// <summary>
/// Settings are bound once (defaults &lt; digitise.json &lt; environment &lt; flags) and checked at start-up: a bad one stops the
/// command with one line naming the setting and its value, and exit code <see cref="ExitCodes.Configuration"/>.
/// </summary>
public sealed class ConfigurationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "digitise-config-tests", Guid.NewGuid().ToString("N"));

    public ConfigurationTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("""{"Matching":{"AutoFileProbability":0.3}}""", "Matching:AutoFileProbability", "0.3")]
    [InlineData("""{"Matching":{"RivalMarginWeight":-1}}""", "Matching:RivalMarginWeight", "-1")]
    [InlineData("""{"Identifiers":{"HospitalNumberPatterns":["^K\\d{6}$","[A-Z"]}}""", "Identifiers:HospitalNumberPatterns:1", "[A-Z")]
    [InlineData("""{"Ocr":{"Workers":"many"}}""", "Ocr:Workers", "many")]
    [InlineData("""{"Ocr":{"Workers":-2}}""", "Ocr:Workers", "-2")]
    [InlineData("""{"Pipeline":{"PageChannelCapacity":0}}""", "Pipeline:PageChannelCapacity", "0")]
    [InlineData("""{"Qa":{"DarkMeanGrey":300}}""", "Qa:DarkMeanGrey", "300")]
    [InlineData("""{"Ingest":{"MaxPagesPerFile":0}}""", "Ingest:MaxPagesPerFile", "0")]
    [InlineData("""{"Separation":{"BlankRun":0}}""", "Separation:BlankRun", "0")]
    [InlineData("""{"Identifiers":{"Region":"Wales"}}""", "Identifiers:Region", "Wales")]
    public async Task Run_BadSetting_OneLineNamingItAndExitCodeConfiguration(string json, string setting, string value)
    {
        string config = Path.Combine(_folder, "digitise.json");
        await File.WriteAllTextAsync(config, json);

        (int code, string error) = await RunAsync(new RunRequest(["in"], "mpi.csv", Path.Combine(_folder, "out"), Path.Combine(_folder, "d.db"), null, null, config, Quiet: true));

        Assert.Equal(ExitCodes.Configuration, code);
        AssertOneLineNaming(error, setting, value);
    }

    [Fact]
    public async Task Run_BadFlags_NamedAsTheUserWroteThem()
    {
        string db = Path.Combine(_folder, "d.db");
        (int code, string error) = await RunAsync(new RunRequest(["in"], "mpi.csv", _folder, db, null, null, null, Quiet: true) { Separate = "patch,sideways" });
        Assert.Equal(ExitCodes.Configuration, code);
        AssertOneLineNaming(error, "--separate", "patch,sideways");

        (code, error) = await RunAsync(new RunRequest(["in"], "mpi.csv", _folder, db, null, null, Path.Combine(_folder, "missing.json"), Quiet: true));
        Assert.Equal(ExitCodes.Configuration, code);
        AssertOneLineNaming(error, "--config", "missing.json");

        (code, error) = await RunAsync(new RunRequest(["in"], "mpi.csv", _folder, "mongodb://db.example/digitise", null, null, null, Quiet: true));
        Assert.Equal(ExitCodes.Configuration, code);
        AssertOneLineNaming(error, "--db", "mongodb://db.example/digitise");

        // PostgreSQL has no blob folder of its own: the flag to give is named, and the password is not echoed.
        (code, error) = await RunAsync(new RunRequest(["in"], "mpi.csv", _folder, "Host=db.example;Database=digitise;Password=hunter2", null, null, null, Quiet: true));
        Assert.Equal(ExitCodes.Configuration, code);
        Assert.Contains("--blobs", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_BadVerifySetting_OneLineAndExitCodeConfiguration()
    {
        string config = Path.Combine(_folder, "digitise.json");
        await File.WriteAllTextAsync(config, """{"Verify":{"LeaseMinutes":-5}}""");

        (int code, string stdout, string stderr) = await Digitise.ExecAsync("serve", "--db", Path.Combine(_folder, "d.db"), "--config", config, "--urls", "http://127.0.0.1:0");

        // The ./digitise launcher may first say "digitise: building ..." (its build output is shown only when the build fails).
        string command = string.Join('\n', stderr.Split('\n').Where(l => l != "digitise: building ..."));
        Assert.Equal(ExitCodes.Configuration, code);
        AssertOneLineNaming(command, "Verify:LeaseMinutes", "-5");
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task Create_WorkersFlag_KeepsEveryOtherOcrSetting()
    {
        string config = Path.Combine(_folder, "digitise.json");
        await File.WriteAllTextAsync(config, """{"Ocr":{"PageImages":false,"Previews":false,"DefaultDpi":240}}""");
        var request = new RunRequest(["in"], "mpi.csv", _folder, Path.Combine(_folder, "d.db"), null, Workers: 1, config, Quiet: true);

        await using DigitiseHost host = DigitiseHost.Create(new HostRequest(request.Database, null, config, RunCommand.Overrides(request)));
        OcrOptions ocr = host.Get<OcrOptions>();

        Assert.Equal((1, false, false, 240), (ocr.Workers, ocr.PageImages, ocr.Previews, ocr.DefaultDpi));
    }

    [Fact]
    public async Task Create_SiteHospitalNumberPatterns_ReplaceTheDefault()
    {
        string config = Path.Combine(_folder, "digitise.json");
        await File.WriteAllTextAsync(config, """{"Identifiers":{"HospitalNumberPatterns":["^K\\d{6}$"]}}""");

        await using DigitiseHost host = DigitiseHost.Create(new HostRequest(Path.Combine(_folder, "d.db"), null, config));

        Assert.Equal(["^K\\d{6}$"], host.Get<IdentifierOptions>().HospitalNumberPatterns);
        await using DigitiseHost defaults = DigitiseHost.Create(new HostRequest(Path.Combine(_folder, "d.db")));
        Assert.Equal(new IdentifierOptions().HospitalNumberPatterns, defaults.Get<IdentifierOptions>().HospitalNumberPatterns);
    }

    [Fact]
    public async Task Create_Precedence_DefaultsThenFileThenEnvironmentThenFlags()
    {
        // Pipeline:DocumentChannelCapacity changes no result, so tests running alongside are not disturbed by the variable.
        const string Variable = DigitiseConfiguration.EnvironmentPrefix + "Pipeline__DocumentChannelCapacity";
        string config = Path.Combine(_folder, "digitise.json");
        string db = Path.Combine(_folder, "d.db");
        async Task<int> Capacity(string? file, string? flag)
        {
            Dictionary<string, string?> flags = new() { ["Pipeline:DocumentChannelCapacity"] = flag };
            await using DigitiseHost host = DigitiseHost.Create(new HostRequest(db, null, file, flags));
            return host.Get<PipelineOptions>().DocumentChannelCapacity;
        }

        await File.WriteAllTextAsync(config, """{"Pipeline":{"DocumentChannelCapacity":3}}""");
        Assert.Equal(new PipelineOptions().DocumentChannelCapacity, await Capacity(null, null));
        Assert.Equal(3, await Capacity(config, null));
        Environment.SetEnvironmentVariable(Variable, "5");
        try
        {
            Assert.Equal(5, await Capacity(config, null));
            Assert.Equal(7, await Capacity(config, "7"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }
    }

    [Fact]
    public async Task MissingOrMalformedInputFile_OneLineNamingItAndExitCodeFailed_ForEveryCommand()
    {
        // The same exit-code table for every command: eval and mpi import no longer keep catch lists of their own.
        string missing = Path.Combine(_folder, "missing.csv");
        string malformed = Path.Combine(_folder, "malformed.csv");
        await File.WriteAllTextAsync(malformed, "a,b\n1,2\n");
        string db = Path.Combine(_folder, "d.db");

        foreach (string[] args in new[]
        {
            new[] { "eval", "--truth", missing, "--manifest", malformed },
            ["eval", "--truth", malformed, "--manifest", malformed],
            ["mpi", "import", missing, "--db", db],
            ["mpi", "import", malformed, "--db", db],
        })
        {
            (int code, _, string error) = await Digitise.ExecAsync(args);
            Assert.True(code == ExitCodes.Failed, string.Join(' ', args) + " exited " + code.ToString(CultureInfo.InvariantCulture) + ":\n" + error);
            AssertOneLineNaming(error, "digitise: ", Path.GetFileName(args[2])); // --truth's file, or the file mpi import was given
        }
    }

    private static void AssertOneLineNaming(string error, string setting, string value)
    {
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one line, got:\n" + error);
        Assert.StartsWith("digitise: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(setting, lines[0], StringComparison.Ordinal);
        Assert.Contains(value, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Error)> RunAsync(RunRequest request)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        int code = await CommonOptions.GuardAsync(() => RunCommand.ExecuteAsync(request, stdout, stderr, CancellationToken.None), stderr);
        return (code, stderr.ToString());
    }
}
