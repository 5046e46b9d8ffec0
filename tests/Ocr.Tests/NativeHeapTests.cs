using System.Globalization;
using System.Runtime.InteropServices;
using Digitise.Domain;
using Digitise.Ocr.Interop;

namespace Digitise.Ocr.Tests;

/// <summary>Resident memory is measured for the whole process, so nothing else in it may allocate meanwhile.</summary>
[CollectionDefinition(nameof(NativeHeapTests), DisableParallelization = true)]
public sealed class NativeHeapCollection;

[Collection(nameof(NativeHeapTests))]
public sealed class NativeHeapTests
{
    [Fact]
    public unsafe void ReleaseFreeHeapPages_PageBuffersFreedBetweenLiveAllocations_GoBackToTheSystem()
    {
        Assert.True(OperatingSystem.IsLinux(), "the allocator tuning is glibc's");
        OcrPrerequisites.TuneNativeMemory();
        const int Buffers = 24;
        const nuint Size = 8 << 20;
        var pages = new nint[Buffers];
        var survivors = new nint[Buffers];
        try
        {
            // As a batch leaves the heap: page-sized buffers (served from the heap, not mmap), each followed by a smaller
            // allocation that outlives it (too large for glibc's per-thread caches, so it is carved right after the
            // buffer), so the freed buffers sit between live chunks where no automatic trim reaches.
            for (int i = 0; i < Buffers; i++)
            {
                pages[i] = (nint)NativeMemory.Alloc(Size);
                new Span<byte>((void*)pages[i], (int)Size).Fill(1);
                survivors[i] = (nint)NativeMemory.Alloc(256 << 10);
            }

            long touched = ResidentKb();
            for (int i = 0; i < Buffers; i++)
            {
                NativeMemory.Free((void*)pages[i]);
                pages[i] = 0;
            }

            long freed = ResidentKb();
            Libraries.ReleaseFreeHeapPages();
            long released = touched - ResidentKb();

            // 192 MB were freed: by the time the trim returns, at least three quarters of it has left resident memory
            // (in a process of its own, none of it leaves before the trim: the freed buffers sit between live chunks).
            Assert.True(
                released > (long)(Buffers * Size / 1024 * 3 / 4),
                $"resident memory fell by only {released} KiB (with the buffers {touched} KiB, freed {freed} KiB, after the trim {touched - released} KiB)");
        }
        finally
        {
            foreach (nint p in pages.Concat(survivors).Where(p => p != 0))
            {
                NativeMemory.Free((void*)p);
            }
        }
    }

    /// <summary>Previews and page images off: nothing reaches the encoder with a bitmap, and the heap must still be trimmed.</summary>
    [Fact]
    public async Task OcrStage_NothingEncoded_StillHandsFreeHeapPagesBackEveryFewPages()
    {
        OcrPrerequisites.TuneNativeMemory();
        byte[] blank = Blank();
        var input = System.Threading.Channels.Channel.CreateUnbounded<PageItem>();
        var output = System.Threading.Channels.Channel.CreateUnbounded<PageItem>();
        for (int i = 0; i < 16; i++)
        {
            var source = new SourceFile($"page-{i}.pgm", $"page-{i}.pgm", new string('0', 64), blank.Length);
            await input.Writer.WriteAsync(new PageImage(source, 1, 1, new EncodedImage(blank, SourceFormat.Unknown, 0, 300)));
        }

        input.Writer.Complete();
        int before = Libraries.HeapTrims;
        using var stage = new TesseractOcrStage(new OcrOptions { Workers = 1, Previews = false, PageImages = false });
        await stage.RunAsync(input.Reader, output.Writer, CancellationToken.None);

        Assert.Equal(16, await output.Reader.ReadAllAsync().CountAsync());
        Assert.True(Libraries.HeapTrims - before >= 2, $"{Libraries.HeapTrims - before} trims in 16 pages");

        static byte[] Blank()
        {
            var pgm = new List<byte>(System.Text.Encoding.ASCII.GetBytes("P5\n400 500\n255\n"));
            pgm.AddRange(Enumerable.Repeat((byte)255, 400 * 500));
            return [.. pgm];
        }
    }

    private static long ResidentKb()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
