using Digitise.Domain;
using Digitise.Indexing;
using Digitise.Ingest;
using Digitise.Ocr;
using Digitise.Pipeline;
using Microsoft.Extensions.Configuration;

namespace Digitise.Cli;

/// <summary>
/// Configuration, lowest precedence first: built-in defaults, <c>digitise.json</c> in the working folder (or the file
/// given with --config), then environment variables prefixed <c>DIGITISE_</c> (e.g. <c>DIGITISE_Ocr__Workers=2</c>).
/// </summary>
internal sealed class Settings
{
    public required OcrOptions Ocr { get; init; }

    public required IngestOptions Ingest { get; init; }

    public required PipelineOptions Pipeline { get; init; }

    public required IdentifierOptions Identifiers { get; init; }

    public required QaOptions Qa { get; init; }

    public required SeparationOptions Separation { get; init; }

    public required DocumentTypeOptions DocumentTypes { get; init; }

    public static Settings Load(string? configFile)
    {
        var builder = new ConfigurationBuilder();
        string file = configFile ?? Path.Combine(Directory.GetCurrentDirectory(), "digitise.json");
        if (configFile is not null && !File.Exists(configFile))
        {
            throw new FileNotFoundException($"The configuration file '{configFile}' (--config) does not exist.");
        }

        builder.AddJsonFile(Path.GetFullPath(file), optional: true);
        builder.AddEnvironmentVariables("DIGITISE_");
        IConfiguration config = builder.Build();
        var settings = new Settings
        {
            Ocr = config.GetSection("Ocr").Get<OcrOptions>() ?? new OcrOptions(),
            Ingest = config.GetSection("Ingest").Get<IngestOptions>() ?? new IngestOptions(),
            Pipeline = config.GetSection("Pipeline").Get<PipelineOptions>() ?? new PipelineOptions(),
            Identifiers = config.GetSection("Identifiers").Get<IdentifierOptions>() ?? new IdentifierOptions(),
            Qa = config.GetSection("Qa").Get<QaOptions>() ?? new QaOptions(),
            Separation = config.GetSection("Separation").Get<SeparationOptions>() ?? new SeparationOptions(),
            DocumentTypes = config.GetSection("DocumentTypes").Get<DocumentTypeOptions>() ?? new DocumentTypeOptions(),
        };
        settings.Pipeline.Validate();
        settings.DocumentTypes.Validate();
        return settings;
    }

    /// <summary>
    /// Where the database lives when --db is not given: DIGITISE_DB, else $XDG_DATA_HOME/digitise/digitise.db
    /// (~/.local/share/digitise/digitise.db).
    /// </summary>
    public static string DefaultDatabasePath()
    {
        if (Environment.GetEnvironmentVariable("DIGITISE_DB") is { Length: > 0 } fromEnv)
        {
            return fromEnv;
        }

        string data = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, "digitise", "digitise.db");
    }
}
