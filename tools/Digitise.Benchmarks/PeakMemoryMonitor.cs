using System.Collections.Concurrent;
using System.Globalization;

namespace Digitise.Benchmarks;

/// <summary>
/// Peak resident memory of a set of child process trees, by polling <c>/proc</c> every 20 ms: the largest sum of
/// <c>VmRSS</c> over every live process in the trees (what concurrent processes hold together), or the largest single
/// <c>VmHWM</c> (a process's own exact high-water mark) when that is higher.
/// </summary>
internal sealed class PeakMemoryMonitor : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, byte> _roots = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peakTreeKb;
    private long _peakProcessKb;

    public PeakMemoryMonitor() => _loop = Task.Run(LoopAsync);

    /// <summary>Peak in KiB so far.</summary>
    public long PeakKb => Math.Max(Interlocked.Read(ref _peakTreeKb), Interlocked.Read(ref _peakProcessKb));

    /// <summary>Starts watching the tree under <paramref name="pid"/>.</summary>
    public void Add(int pid)
    {
        _roots[pid] = 0;
        Sample();
    }

    /// <summary>Takes a last sample and stops polling.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            Sample();
        }
    }

    private void Sample()
    {
        if (_roots.IsEmpty)
        {
            return;
        }

        var children = new Dictionary<int, List<int>>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || ReadParent(pid) is not int parent)
            {
                continue;
            }

            if (!children.TryGetValue(parent, out List<int>? list))
            {
                children[parent] = list = [];
            }

            list.Add(pid);
        }

        long treeKb = 0;
        var pending = new Stack<int>(_roots.Keys);
        var seen = new HashSet<int>();
        while (pending.TryPop(out int pid))
        {
            if (!seen.Add(pid))
            {
                continue;
            }

            (long rss, long hwm) = ReadMemory(pid);
            treeKb += rss;
            InterlockedMax(ref _peakProcessKb, hwm);
            if (children.TryGetValue(pid, out List<int>? list))
            {
                list.ForEach(pending.Push);
            }
        }

        InterlockedMax(ref _peakTreeKb, treeKb);
    }

    private static int? ReadParent(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so parse after the last ')'.
            string stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ', 3);
            return int.Parse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static (long RssKb, long HwmKb) ReadMemory(int pid)
    {
        long rss = 0, hwm = 0;
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = ParseKb(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    hwm = ParseKb(line);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The process exited between the listing and the read.
        }

        return (rss, hwm);
    }

    private static long ParseKb(string line) =>
        long.TryParse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long kb) ? kb : 0;

    private static void InterlockedMax(ref long target, long value)
    {
        long current = Interlocked.Read(ref target);
        while (value > current)
        {
            long seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
