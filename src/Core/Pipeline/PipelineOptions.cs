namespace Digitise.Pipeline;

/// <summary>Settings under <c>Pipeline</c> in configuration.</summary>
public sealed class PipelineOptions
{
    /// <summary>Source files buffered between discovery and decoding.</summary>
    public int FileChannelCapacity { get; init; } = 4;

    /// <summary>Pages buffered between stages: keeps memory flat however big the batch.</summary>
    public int PageChannelCapacity { get; init; } = 8;

    /// <summary>Documents buffered between matching and persisting.</summary>
    public int DocumentChannelCapacity { get; init; } = 16;

    /// <exception cref="Hosting.ConfigurationException">A capacity is below 1; the message names it.</exception>
    public void Validate()
    {
        Hosting.ConfigurationException.ThrowIfNot(FileChannelCapacity >= 1, "Pipeline:FileChannelCapacity", FileChannelCapacity, "must be at least 1");
        Hosting.ConfigurationException.ThrowIfNot(PageChannelCapacity >= 1, "Pipeline:PageChannelCapacity", PageChannelCapacity, "must be at least 1");
        Hosting.ConfigurationException.ThrowIfNot(DocumentChannelCapacity >= 1, "Pipeline:DocumentChannelCapacity", DocumentChannelCapacity, "must be at least 1");
    }
}
