using Digitise.Cli.Export;
using Digitise.Data.Postgres;
using Digitise.Export;
using Digitise.Data.Sqlite;
using Digitise.Hosting;
using Digitise.Indexing;
using Digitise.Ingest;
using Digitise.Ocr;
using Digitise.Storage;
using Digitise.Storage.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Digitise.Cli;

/// <summary>What a command asks of the composition root: where the data is, which settings file, and its flags as settings.</summary>
/// <param name="Database">--db: a SQLite path, or a connection string a registered provider claims.</param>
/// <param name="Blobs">--blobs: a folder, or a location a registered blob provider claims; null for the store's default.</param>
/// <param name="Overrides">Command-line flags as configuration keys (<c>Ocr:Workers</c>), the highest precedence.</param>
internal sealed record HostRequest(string Database, string? Blobs = null, string? ConfigFile = null, IReadOnlyDictionary<string, string?>? Overrides = null)
{
    /// <summary>-v: information on the console, not only warnings and errors.</summary>
    public bool Verbose { get; init; }

    /// <summary>The per-batch log file (<c>OUT/digitise.log</c> for run and watch); null for commands without an output folder.</summary>
    public string? LogFile { get; init; }

    /// <summary>--queue: the work queue of the distributed form (submit, worker); null when the command needs none.</summary>
    public string? Queue { get; init; }
}

/// <summary>
/// The one composition root of every command (and of <c>serve</c>'s web host): settings are built once (defaults &lt;
/// digitise.json &lt; DIGITISE_ environment &lt; flags), each library registers itself and validates its settings here, at
/// start-up, and storage is chosen by the shape of <c>--db</c> and <c>--blobs</c> among the registered providers. A new
/// store or blob provider is a project plus one line in <see cref="AddProviders"/>; a new OCR engine is an
/// <see cref="IOcrStage"/> registered in place of <c>AddDigitiseOcr</c>.
/// </summary>
internal sealed class DigitiseHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private DigitiseHost(ServiceProvider services, DigitiseConfiguration configuration)
    {
        _services = services;
        Configuration = configuration;
        Storage = services.GetRequiredService<DigitiseStorage>();
    }

    public DigitiseConfiguration Configuration { get; }

    public DigitiseStorage Storage { get; }

    public IServiceProvider Services => _services;

    /// <exception cref="ConfigurationException">A setting is wrong (named in the message), or no provider claims --db/--blobs.</exception>
    public static DigitiseHost Create(HostRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        DigitiseConfiguration configuration = DigitiseConfiguration.Load(request.ConfigFile, request.Overrides);
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging(logging =>
        {
            logging
                .SetMinimumLevel(LogLevel.Information)
                .AddSimpleConsole(console =>
                {
                    console.SingleLine = true;
                    console.IncludeScopes = false;
                })
                .AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, request.Verbose ? LogLevel.Information : LogLevel.Warning)
                .AddFilter("Microsoft", LogLevel.Warning);
            if (request.LogFile is { } logFile)
            {
                logging.AddProvider(new BatchLogProvider(logFile));
            }
        });
        services.AddDigitisePipeline(configuration);
        services.AddDigitiseIngest(configuration);
        services.AddDigitiseOcr(configuration);
        services.AddDigitiseIndexing(configuration);
        AddProviders(services, configuration);
        AddExports(services, configuration);
        services.AddDigitiseStorage(new StorageLocations(
            request.Database,
            request.Blobs ?? configuration.Configuration["Storage:Blobs"],
            request.Queue ?? configuration.Configuration["Storage:Queue"]));
        ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        try
        {
            return new DigitiseHost(provider, configuration);
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    /// <summary>Every store and blob provider this build ships; the value of --db / --blobs picks one at run time.</summary>
    public static void AddProviders(IServiceCollection services, DigitiseConfiguration configuration)
    {
        services.AddDigitiseSqlite();
        services.AddDigitisePostgres();
        services.AddDigitiseLocalBlobs();
        services.AddDigitiseAzureStorage(configuration);
    }

    /// <summary>
    /// What the exports offer other hosts: the batch certificate (<see cref="IBatchCertificates"/>), which <c>serve</c> hands
    /// to the verification app so managers open it from the dashboard. <c>Certificate:*</c> is validated here, at start-up.
    /// </summary>
    public static void AddExports(IServiceCollection services, DigitiseConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ReleaseCriteria criteria = configuration.Bind<ReleaseCriteria>("Certificate", c => c.Validate());
        services.AddSingleton<IBatchCertificates>(sp => new BatchCertificates(sp.GetRequiredService<DigitiseStorage>(), criteria));
    }

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public ILogger<T> Logger<T>() => _services.GetRequiredService<ILogger<T>>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
