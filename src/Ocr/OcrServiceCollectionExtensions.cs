using Digitise.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Digitise.Ocr;

public static class OcrServiceCollectionExtensions
{
    /// <summary>
    /// The Tesseract OCR stage (<see cref="IOcrStage"/>) with page QA, the <c>Ocr</c> and <c>Qa</c> settings bound and validated
    /// now, at start-up. Another OCR engine plugs in as another <see cref="IOcrStage"/> registered instead of this one.
    /// </summary>
    public static IServiceCollection AddDigitiseOcr(this IServiceCollection services, DigitiseConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(configuration.Bind<OcrOptions>("Ocr", o => o.Validate()));
        services.AddSingleton(configuration.Bind<QaOptions>("Qa", o => o.Validate()));
        services.AddSingleton<IOcrStage>(sp => new TesseractOcrStage(
            sp.GetRequiredService<OcrOptions>(), sp.GetRequiredService<QaOptions>(), sp.GetService<ILogger<TesseractOcrStage>>()));
        return services;
    }
}
