using System.Globalization;

namespace Digitise.VerifyBench;

/// <summary>Samples of one request kind (or of the round trip): client and server milliseconds.</summary>
internal sealed class Latencies(string name)
{
    private readonly List<double> _client = [];
    private readonly List<double> _server = [];

    public string Name { get; } = name;

    public int Count => _server.Count;

    public void Add(Timing timing)
    {
        _client.Add(timing.ClientMs);
        _server.Add(timing.ServerMs);
    }

    public double Server(double percentile) => Percentile(_server, percentile);

    public double Client(double percentile) => Percentile(_client, percentile);

    /// <summary>A markdown table row: n, server p50/p95/p99/max, client p50/p95/p99/max.</summary>
    public string Row() => string.Create(CultureInfo.InvariantCulture,
        $"| {Name} | {Count} | {Server(50):0.0} | {Server(95):0.0} | {Server(99):0.0} | {Server(100):0.0} | " +
        $"{Client(50):0.0} | {Client(95):0.0} | {Client(99):0.0} | {Client(100):0.0} |");

    public const string Header =
        "| request | n | server p50 | server p95 | server p99 | server max | client p50 | client p95 | client p99 | client max |\n" +
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    /// <summary>Nearest-rank percentile (p100 is the maximum); NaN when there are no samples.</summary>
    private static double Percentile(List<double> samples, double percentile)
    {
        if (samples.Count == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. samples];
        Array.Sort(sorted);
        int rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
