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

    public void Validate()
    {
        if (FileChannelCapacity < 1 || PageChannelCapacity < 1 || DocumentChannelCapacity < 1)
        {
            throw new InvalidOperationException("Pipeline:FileChannelCapacity, Pipeline:PageChannelCapacity and Pipeline:DocumentChannelCapacity must be at least 1.");
        }
    }
}
