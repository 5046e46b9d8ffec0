using Digitise.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Digitise.Hosting;

public static class PipelineServiceCollectionExtensions
{
    /// <summary>The pipeline's own settings (<c>Pipeline</c>, <c>Separation</c>), bound and validated now, at start-up.</summary>
    public static IServiceCollection AddDigitisePipeline(this IServiceCollection services, DigitiseConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(configuration.Bind<PipelineOptions>("Pipeline", o => o.Validate()));
        services.AddSingleton(configuration.Bind<SeparationOptions>("Separation", o => o.Validate()));
        services.AddSingleton(configuration.Bind<Domain.DocumentTypeOptions>("DocumentTypes", o => o.Validate()));
        return services;
    }
}
