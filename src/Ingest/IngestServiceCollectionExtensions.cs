using Digitise.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Digitise.Ingest;

/// <summary>Builds the Ingest stage's parts from options (the hosts wire them together).</summary>
public static class IngestFactory
{
    public static (ISourceDiscovery Discovery, IPageSource Pages) Create(IngestOptions options) =>
        (new SourceDiscovery(), new FilePageSource(options));
}

public static class IngestServiceCollectionExtensions
{
    /// <summary>Discovery and page decoding, with the <c>Ingest</c> settings bound and validated now, at start-up.</summary>
    public static IServiceCollection AddDigitiseIngest(this IServiceCollection services, DigitiseConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        IngestOptions options = configuration.Bind<IngestOptions>("Ingest", o => o.Validate());
        services.AddSingleton(options);
        services.AddSingleton<ISourceDiscovery, SourceDiscovery>();
        services.AddSingleton<IPageSource>(sp => new FilePageSource(sp.GetRequiredService<IngestOptions>()));
        return services;
    }
}
