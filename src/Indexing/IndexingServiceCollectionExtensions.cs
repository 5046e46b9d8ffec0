using Digitise.Hosting;
using Digitise.Indexing.Matching;
using Microsoft.Extensions.DependencyInjection;

namespace Digitise.Indexing;

public static class IndexingServiceCollectionExtensions
{
    /// <summary>
    /// Identifier extraction (<see cref="IIdentifierExtractor"/>) and the matcher's settings, the <c>Identifiers</c> and
    /// <c>Matching</c> sections bound and validated now, at start-up. The matcher itself is built per run, over the one
    /// patient index the run loads (<see cref="PatientIndex"/>).
    /// </summary>
    public static IServiceCollection AddDigitiseIndexing(this IServiceCollection services, DigitiseConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(configuration.Bind<IdentifierOptions>("Identifiers", o => o.Validate()));
        services.AddSingleton(configuration.Bind<MatchingOptions>("Matching", o => o.Validate()));
        services.AddSingleton<IIdentifierExtractor>(sp => new IdentifierExtractor(sp.GetRequiredService<IdentifierOptions>()));
        return services;
    }
}
