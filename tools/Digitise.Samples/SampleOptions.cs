namespace Digitise.Samples;

/// <summary>What <see cref="SampleGenerator.Generate"/> writes and how much of it.</summary>
public sealed class SampleOptions
{
    /// <summary>Directory that receives <c>mpi.csv</c>, <c>truth.csv</c> and <c>batch/</c>; created if missing.</summary>
    public string OutputDirectory { get; init; } = string.Empty;

    /// <summary>Number of documents (files) under <c>batch/</c>.</summary>
    public int Documents { get; init; } = 40;

    /// <summary>Seed: the same seed gives byte-identical CSVs and the same file list.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Index rows per indexed patient that has documents (decoys fill the rest). Default 3.</summary>
    public int IndexMultiplier { get; init; } = 3;

    /// <summary>Floor on the number of index rows, so even a small batch has a few hundred candidates. Default 200.</summary>
    public int MinimumIndexRows { get; init; } = 200;

    /// <summary>Degree of parallelism for rendering; 0 means <see cref="Environment.ProcessorCount"/>.</summary>
    public int Workers { get; init; }

    /// <summary>
    /// Lay documents out in the twelve layout families of <see cref="LayoutFamilies"/> (round robin) instead of the classic
    /// four document types; patients then carry their family's trust hospital-number format. Off by default.
    /// </summary>
    public bool Families { get; init; }

    /// <summary>When true (the default) delete an existing <c>batch/</c> directory first.</summary>
    public bool CleanBatchDirectory { get; init; } = true;
}
