using System.Globalization;

namespace Digitise.Cli.Tests;

/// <summary><c>digitise watch</c>: batches dropped into a folder are picked up once they settle, run, and moved on.</summary>
public sealed class WatchCommandTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Watch_BatchCopiedInGradually_WaitsUntilSettledThenRunsAndMovesItToDone()
    {
        string root = Directory.CreateTempSubdirectory("digitise-watch-").FullName;
        string drop = Directory.CreateDirectory(Path.Combine(root, "drop")).FullName;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        using var stdout = TextWriter.Synchronized(new StringWriter(CultureInfo.InvariantCulture));
        using var stderr = TextWriter.Synchronized(new StringWriter(CultureInfo.InvariantCulture));
        var request = new WatchRequest(drop, Path.Combine(Repo.Root, "samples", "mpi.csv"), Path.Combine(root, "out"), Path.Combine(root, "digitise.db"), Settle, null, null, Quiet: true);
        Task<int> watch = Task.Run(() => WatchCommand.ExecuteAsync(request, stdout, stderr, TimeProvider.System, stop.Token));
        try
        {
            // The batch arrives slowly: a TIFF half-written and still being written for longer than the settle time, the rest,
            // then a PNG. It is touched every sixth of the settle time, so only a test thread starved for more than two
            // thirds of it (a loaded CI machine once starved it past half) could let the watcher see it settled.
            string batch = Directory.CreateDirectory(Path.Combine(drop, "batch-a")).FullName;
            byte[] tiff = File.ReadAllBytes(Path.Combine(Repo.Root, "samples", "batch", "doc-0001.tif"));
            string tiffPath = Path.Combine(batch, "doc-0001.tif");
            await File.WriteAllBytesAsync(tiffPath, tiff[..(tiff.Length / 2)]);
            for (int step = 0; step < 9; step++)
            {
                await Task.Delay(Settle / 6);
                Assert.True(Directory.Exists(batch), "a batch still being copied was picked up");
                Assert.False(Directory.Exists(Path.Combine(root, "out", "batch-a")), "a batch still being copied was run");
                File.SetLastWriteTimeUtc(tiffPath, DateTime.UtcNow); // still being written
            }

            await using (var append = new FileStream(tiffPath, FileMode.Append))
            {
                await append.WriteAsync(tiff.AsMemory(tiff.Length / 2));
            }

            File.Copy(Path.Combine(Repo.Root, "samples", "batch", "doc-0004.png"), Path.Combine(batch, "doc-0004.png"));
            DateTime lastWrite = DateTime.UtcNow;

            string done = Path.Combine(drop, WatchCommand.DoneFolder, "batch-a");
            while (!Directory.Exists(done) && !watch.IsCompleted)
            {
                await Task.Delay(200, stop.Token);
            }

            Assert.True(Directory.Exists(done), stdout.ToString() + stderr);
            Assert.False(Directory.Exists(batch));
            Assert.Equal(["doc-0001.tif", "doc-0004.png"], Directory.GetFiles(done).Select(Path.GetFileName).Order(StringComparer.Ordinal));

            string manifest = Path.Combine(root, "out", "batch-a", "manifest.csv");
            List<Dictionary<string, string>> rows = Csv.Read(manifest);
            Assert.Equal(2, rows.Count);
            Assert.All(rows, r => Assert.Equal("auto_filed", r["status"])); // the half-written TIFF was never read
            Assert.True(File.GetLastWriteTimeUtc(manifest) >= lastWrite + Settle - TimeSpan.FromMilliseconds(500), "the batch ran before it settled");
            Assert.All(rows, r => Assert.True(File.Exists(Path.Combine(root, "out", "batch-a", r["searchable_pdf"]))));
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(130, await watch); // Ctrl+C: stops cleanly
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Watch_RunItselfFails_MovesBatchToFailedWithReason()
    {
        string root = Directory.CreateTempSubdirectory("digitise-watch-").FullName;
        string drop = Directory.CreateDirectory(Path.Combine(root, "drop")).FullName;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var output = TextWriter.Synchronized(new StringWriter(CultureInfo.InvariantCulture));
        // The output folder is a file, so the batch's run cannot write its output (a bad setting would stop the watch itself at start).
        string outFile = Path.Combine(root, "out");
        await File.WriteAllTextAsync(outFile, "in the way");
        var request = new WatchRequest(drop, Path.Combine(Repo.Root, "samples", "mpi.csv"), outFile, Path.Combine(root, "digitise.db"),
            TimeSpan.FromSeconds(1), null, null, Quiet: true);
        Task<int> watch = Task.Run(() => WatchCommand.ExecuteAsync(request, output, output, TimeProvider.System, stop.Token));
        try
        {
            string batch = Directory.CreateDirectory(Path.Combine(drop, "batch-b")).FullName;
            await File.WriteAllTextAsync(Path.Combine(batch, "scan.tif"), "not really a scan");
            string reason = Path.Combine(drop, WatchCommand.FailedFolder, "batch-b.reason.txt");
            while (!File.Exists(reason) && !watch.IsCompleted)
            {
                await Task.Delay(200, stop.Token);
            }

            Assert.True(File.Exists(reason), output.ToString());
            Assert.True(Directory.Exists(Path.Combine(drop, WatchCommand.FailedFolder, "batch-b")));
            Assert.False(string.IsNullOrWhiteSpace(await File.ReadAllTextAsync(reason)));
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(130, await watch);
            Directory.Delete(root, recursive: true);
        }
    }
}
