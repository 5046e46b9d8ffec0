namespace Digitise.Ingest;

/// <summary>Builds the Ingest stage's parts from options (the hosts wire them together).</summary>
public static class IngestFactory
{
    public static (ISourceDiscovery Discovery, IPageSource Pages) Create(IngestOptions options) =>
        (new SourceDiscovery(), new FilePageSource(options));
}
