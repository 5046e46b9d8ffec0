using System.Reflection;
using System.Runtime.InteropServices;

namespace Digitise.Ocr.Interop;

/// <summary>
/// Maps the logical library names used by <c>[LibraryImport]</c> to Debian's sonames, and keeps OpenMP from
/// oversubscribing the cores: libgomp reads <c>OMP_THREAD_LIMIT</c> once, when it is loaded (as a dependency of
/// libtesseract), and .NET's Environment.SetEnvironmentVariable does not change the native environment on Unix,
/// so the limit is written with libc's setenv before the first native load. Before libtesseract loads, the serial OpenMP
/// runtime (<see cref="UseSerialOpenMp"/>) is loaded globally so that Tesseract's parallel regions run inline, and
/// <see cref="UseFasterTesseractImages"/> so that two of Tesseract's Leptonica calls are served faster with the same result.
/// </summary>
internal static partial class Libraries
{
    internal const string Tesseract = "tesseract";
    internal const string Leptonica = "lept";
    internal const string LibC = "libc";
    internal const string Zbar = "zbar";

    internal const string TesseractSoname = "libtesseract.so.5";

    /// <summary>The serial OpenMP runtime built from <c>src/Ocr/Native/serialomp.c</c>, beside the assemblies.</summary>
    internal const string SerialOpenMpFile = "libdigitise-serialomp.so";

    /// <summary>Set to <c>libgomp</c> to leave Tesseract on Debian's OpenMP runtime (the benchmark's raw reference does).</summary>
    internal const string OpenMpVariable = "DIGITISE_OPENMP";

    /// <summary>The library built from <c>src/Ocr/Native/tessimages.c</c>, beside the assemblies.</summary>
    internal const string TesseractImagesFile = "libdigitise-tessimages.so";

    /// <summary>Set to <c>shipped</c> to leave Tesseract's Leptonica calls as Debian ships them (the benchmark's raw reference does).</summary>
    internal const string TesseractImagesVariable = "DIGITISE_TESSERACT_IMAGES";

    /// <summary>What <see cref="TesseractImages"/> says when Tesseract's image calls are served by the library.</summary>
    internal const string TesseractImagesFaster = "faster";

    internal const string LeptonicaSoname = "liblept.so.5";

    /// <summary>
    /// Every native library the code imports: its <c>[LibraryImport]</c> name, Debian 12's soname and the package that
    /// ships it. The one list the resolver, the install hint and <c>digitise check</c> read; a test checks that
    /// <c>scripts/setup</c> installs each package and that the package really holds the file.
    /// </summary>
    internal static readonly IReadOnlyList<NativeLibraryInfo> Native =
    [
        new(Tesseract, TesseractSoname, "libtesseract5", "tesseract-ocr tesseract-ocr-eng"),
        new(Leptonica, LeptonicaSoname, "liblept5", "liblept5"),
        new(Zbar, "libzbar.so.0", "libzbar0", "libzbar0"),
        new(LibC, "libc.so.6", "libc6", "libc6"),
    ];

    private static readonly Lock RegistrationLock = new();
    private static int s_registered;
    private static int s_mallocTuned;
    private static bool s_trimHeap;
    private static int s_heapTrims;
    private static string? s_openMpRuntime;
    private static unsafe delegate* unmanaged<nuint> s_serialRegions;
    private static string? s_tesseractImages;
    private static unsafe delegate* unmanaged<nuint> s_lineImagesInMemory;
    private static unsafe delegate* unmanaged<nuint> s_bricksByDwa;

    /// <summary>How many times free heap pages were handed back (<see cref="ReleaseFreeHeapPages"/>), for tests.</summary>
    internal static int HeapTrims => Volatile.Read(ref s_heapTrims);

    /// <summary>OpenMP thread limit written before the native libraries load; null leaves the environment alone.</summary>
    internal static int? OpenMpThreadLimit { get; set; } = 1;

    /// <summary>
    /// Registers the resolver once; every caller returns only after it is registered. (A flag set before registering let
    /// a second OCR worker starting at the same moment call Leptonica before the resolver existed: the default probe
    /// looked for "lept", and the process aborted with DllNotFoundException on a worker thread.)
    /// </summary>
    internal static void EnsureRegistered()
    {
        if (Volatile.Read(ref s_registered) == 1)
        {
            return;
        }

        lock (RegistrationLock)
        {
            if (s_registered == 0)
            {
                NativeLibrary.SetDllImportResolver(typeof(Libraries).Assembly, Resolve);
                Volatile.Write(ref s_registered, 1);
            }
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        NativeLibraryInfo? library = Native.FirstOrDefault(l => l.Name == libraryName);
        if (library is null)
        {
            return IntPtr.Zero;
        }

        string soname = library.Soname;

        if (libraryName is Tesseract or Leptonica)
        {
            LimitOpenMp();
            KeepPageBuffersInHeap();
        }

        if (libraryName == Tesseract)
        {
            lock (RegistrationLock)
            {
                UseSerialOpenMp();
                UseFasterTesseractImages();
            }
        }

        if (NativeLibrary.TryLoad(soname, assembly, searchPath, out IntPtr handle))
        {
            return handle;
        }

        throw new OcrUnavailableException(
            $"The native library '{soname}' could not be loaded. Install it with: sudo apt-get install -y {library.Install} (or run ./scripts/setup as root).");
    }

    private static void LimitOpenMp()
    {
        if (OpenMpThreadLimit is not int limit || Environment.GetEnvironmentVariable("OMP_THREAD_LIMIT") is not null)
        {
            return;
        }

        string value = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _ = SetEnv("OMP_THREAD_LIMIT", value, 1);
        Environment.SetEnvironmentVariable("OMP_THREAD_LIMIT", value);
    }

    /// <summary>
    /// Which OpenMP runtime runs Tesseract's parallel regions: <c>serial</c>, or why it is Debian's libgomp. Null until
    /// the first call into libtesseract has chosen it (just before loading the library).
    /// </summary>
    internal static string? OpenMpRuntime => Volatile.Read(ref s_openMpRuntime);

    /// <summary>
    /// How many of Tesseract's parallel regions the serial runtime has run on the calling thread; null when it is not in use.
    /// Above zero after a page is OCRed proves libtesseract bound to it, not to libgomp.
    /// </summary>
    internal static unsafe long? SerialOpenMpRegions => s_serialRegions is null ? null : (long)s_serialRegions();

    /// <summary>
    /// Loads the serial OpenMP runtime (<c>src/Ocr/Native/serialomp.c</c>) with <c>RTLD_GLOBAL</c>, before libtesseract,
    /// so that the dynamic linker binds Tesseract's OpenMP references (GOMP_parallel and five more) to it rather than to
    /// libgomp, which libtesseract names as its dependency: the global scope is searched before a library's own.
    /// </summary>
    /// <remarks>
    /// With one engine per core, every parallel region in Tesseract (its LSTM runs one per time step) has a team of one
    /// thread, and libgomp still ends each with a futex wake system call, even at OMP_THREAD_LIMIT=1. Measured with
    /// perf on 40 generated pages, libgomp (nearly all at that system call) and the kernel's return from it were 13% of
    /// raw Tesseract's samples; run inline, raw Tesseract on the same pages took 37.1-37.6 CPU-s against 43.8-47.3 on
    /// libgomp (alternating pairs), with the same text on every page.
    /// Falls back to libgomp, saying why in <see cref="OpenMpRuntime"/>, when <c>DIGITISE_OPENMP=libgomp</c>, when
    /// libtesseract is already loaded, when the library was not built (no C compiler), or when another OpenMP runtime is
    /// already in the global scope. A test keeps libtesseract's OpenMP imports to the six defined here: one more would go
    /// to libgomp and mix two runtimes.
    /// </remarks>
    private static unsafe void UseSerialOpenMp()
    {
        if (s_openMpRuntime is not null)
        {
            return;
        }

        string? reason = BindBeforeTesseract(SerialOpenMpFile, OpenMpVariable, "libgomp", "GOMP_parallel", ready: null, out IntPtr handle)
            ?? (DlSym(IntPtr.Zero, "GOMP_parallel") != DlSym(handle, "GOMP_parallel") ? "another OpenMP runtime was loaded into the process first" : null);
        if (reason is null)
        {
            s_serialRegions = (delegate* unmanaged<nuint>)DlSym(handle, "digitise_serial_openmp_regions");
        }

        Volatile.Write(ref s_openMpRuntime, reason is null ? "serial" : $"libgomp ({reason})");
    }

    /// <summary>
    /// Loads <paramref name="file"/> (beside the assemblies) and, once <paramref name="ready"/> (given the handle) has no
    /// objection, makes it global (<c>RTLD_GLOBAL</c>) so that libtesseract, loaded next, binds its references to
    /// <paramref name="symbol"/> and the like there; null when it did, otherwise why not: <paramref name="variable"/> set
    /// to <paramref name="asShipped"/>, libtesseract already loaded, no such file, the file did not load, or
    /// <paramref name="ready"/>'s reason (the library then stays out of the global scope). The caller checks that the
    /// global scope finds its symbols first.
    /// </summary>
    private static string? BindBeforeTesseract(string file, string variable, string asShipped, string symbol, Func<IntPtr, string?>? ready, out IntPtr handle)
    {
        const int RTLD_LAZY = 1;
        const int RTLD_NOW = 2;
        const int RTLD_NOLOAD = 4;
        const int RTLD_GLOBAL = 0x100;
        handle = IntPtr.Zero;
        _ = DlError(); // binds dlerror now and clears any earlier error, so a failure below reads its own reason
        if (string.Equals(Environment.GetEnvironmentVariable(variable), asShipped, StringComparison.OrdinalIgnoreCase))
        {
            return $"{variable}={asShipped}";
        }

        if (DlOpen(TesseractSoname, RTLD_LAZY | RTLD_NOLOAD) != IntPtr.Zero)
        {
            return $"{TesseractSoname} was loaded into the process before {file}";
        }

        if (FindBesideAssemblies(file) is not string path)
        {
            return $"no {file} beside the assemblies: it is built when gcc is installed, see scripts/setup";
        }

        handle = DlOpen(path, RTLD_NOW);
        if (handle == IntPtr.Zero || DlSym(handle, symbol) == IntPtr.Zero)
        {
            return $"{path} did not load: {Marshal.PtrToStringUTF8(DlError()) ?? "unknown error"}";
        }

        if (ready?.Invoke(handle) is string objection)
        {
            return objection;
        }

        return DlOpen(path, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL) == handle ? null
            : $"{path} could not be made global: {Marshal.PtrToStringUTF8(DlError()) ?? "unknown error"}";
    }

    private static string? FindBesideAssemblies(string file)
    {
        string?[] folders = [AppContext.BaseDirectory, Path.GetDirectoryName(typeof(Libraries).Assembly.Location)];
        return folders.Where(f => !string.IsNullOrEmpty(f)).Select(f => Path.Combine(f!, file)).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// How Tesseract's Leptonica calls are served: <see cref="TesseractImagesFaster"/>, or why they are as Debian ships
    /// them. Null until the first call into libtesseract.
    /// </summary>
    internal static string? TesseractImages => Volatile.Read(ref s_tesseractImages);

    /// <summary>Line images Tesseract has kept in memory instead of as PNG in this process; null when the library is not in use.</summary>
    internal static unsafe long? LineImagesInMemory => s_lineImagesInMemory is null ? null : (long)s_lineImagesInMemory();

    /// <summary>Tesseract's brick openings and closings done by DWA chains in this process; null when the library is not in use.</summary>
    internal static unsafe long? BricksByDwa => s_bricksByDwa is null ? null : (long)s_bricksByDwa();

    /// <summary>
    /// The library's DWA chain for an opening (or <paramref name="closing"/>) of <paramref name="pix"/> by an
    /// hsize x vsize brick, as Tesseract's calls get it; an invalid handle when it cannot be done so. For tests.
    /// </summary>
    internal static unsafe PixHandle BrickByDwa(PixHandle pix, int hsize, int vsize, bool closing)
    {
        var chain = (delegate* unmanaged<IntPtr, int, int, int, IntPtr>)TesseractImagesExport("digitise_brick_by_dwa");
        return PixHandle.Own(chain(pix.DangerousGetHandle(), hsize, vsize, closing ? 1 : 0));
    }

    /// <summary>The line lengths the library's DWA chain uses for a line of <paramref name="length"/>; null when it has none. For tests.</summary>
    internal static unsafe int[]? BrickChain(int length)
    {
        var chain = (delegate* unmanaged<int, int*, int, int>)TesseractImagesExport("digitise_brick_chain");
        int* lengths = stackalloc int[64];
        int count = chain(length, lengths, 64);
        return count < 0 ? null : new ReadOnlySpan<int>(lengths, count).ToArray();
    }

    private static IntPtr TesseractImagesExport(string name)
    {
        string path = FindBesideAssemblies(TesseractImagesFile) ?? throw new FileNotFoundException($"{TesseractImagesFile} was not built", TesseractImagesFile);
        return NativeLibrary.GetExport(NativeLibrary.Load(path), name);
    }

    /// <summary>
    /// Loads <c>src/Ocr/Native/tessimages.c</c> with <c>RTLD_GLOBAL</c>, before libtesseract, so that the dynamic linker
    /// binds Tesseract's <c>pixWriteMem</c>, <c>pixOpenBrick</c> and <c>pixCloseBrick</c> to it rather than to
    /// Leptonica's (the global scope is searched before a library's own dependencies). It keeps each text line's image in
    /// memory instead of encoding it as PNG and decoding it again, and does the line finder's openings and closings with
    /// Leptonica's DWA functions in chains that give the rasterop result bit for bit (see the C file).
    /// </summary>
    /// <remarks>
    /// Measured with perf on 40 generated pages, the PNG encode was 4.3% of a run's samples, the decode 1.2% and the
    /// brick openings 5.5%. Debian's tesseract program with the library preloaded read the 71 pages of the benchmark's
    /// three corpora to the same text, 3.4-8.0% faster (one process per page, start-up included). Falls back to
    /// Leptonica's functions, saying why in <see cref="TesseractImages"/>, when <c>DIGITISE_TESSERACT_IMAGES=shipped</c>,
    /// when libtesseract is already loaded, when the library was not built (no C compiler), or when Leptonica's functions
    /// are already first in the global scope.
    /// </remarks>
    private static unsafe void UseFasterTesseractImages()
    {
        if (s_tesseractImages is not null)
        {
            return;
        }

        // Leptonica's own functions must be found before the library goes global: from then on it serves every call.
        string? reason = BindBeforeTesseract(TesseractImagesFile, TesseractImagesVariable, "shipped", "pixWriteMem", LeptonicaFound, out IntPtr handle)
            ?? (((string[])["pixWriteMem", "pixOpenBrick", "pixCloseBrick"]).Any(f => DlSym(IntPtr.Zero, f) != DlSym(handle, f)) ? $"{LeptonicaSoname} was loaded into the global scope first" : null);

        if (reason is null)
        {
            s_lineImagesInMemory = (delegate* unmanaged<nuint>)DlSym(handle, "digitise_line_images_in_memory");
            s_bricksByDwa = (delegate* unmanaged<nuint>)DlSym(handle, "digitise_bricks_by_dwa");
        }

        Volatile.Write(ref s_tesseractImages, reason is null ? TesseractImagesFaster : $"as shipped ({reason})");

        static string? LeptonicaFound(IntPtr library)
        {
            var ready = (delegate* unmanaged<int>)DlSym(library, "digitise_tesseract_images_ready");
            return ready is not null && ready() != 0 ? null : $"{TesseractImagesFile} did not find Leptonica's own functions in {LeptonicaSoname}";
        }
    }

    /// <summary>
    /// Every page allocates and frees several page-sized buffers (an A4 grey page at 300 dpi is 8.7 MB). glibc serves
    /// each from a fresh mmap and unmaps it on free, so every page pays page faults, zeroing and cross-core TLB
    /// shootdowns (about 2% of run time, measured with perf). Serving them from the heap keeps them for the next page,
    /// and the heap's free pages go back to the system every few pages instead (see remarks). Left alone when
    /// GLIBC_TUNABLES is set.
    /// </summary>
    /// <remarks>
    /// Pages are worked on by whichever thread-pool thread is free, and glibc gives threads their own arenas (up to eight
    /// per core), each keeping the page buffers freed into it: resident memory grew with the length of the batch (1,000
    /// pages peaked 1.50x above 100, and a 300-page run climbed from 293 to 430 MB). One arena per core (at least two)
    /// slowed that, but the arenas still fragmented around the small allocations that outlive a page: sampled with
    /// mallinfo2 over 1,000 pages, 50-90 MB in use while the arenas grew from 165 to 340 MB, the rest free but resident.
    /// So the trim threshold is 32 MB (a second arena gives back its top only above it), and the OCR stage hands free
    /// pages back every few pages (<see cref="ReleaseFreeHeapPages"/>): on 250 pages the arenas stay at 160-195 MB and
    /// resident memory at 230-300 MB, with no more CPU than before. glibc fixes its arena limit once more than eight
    /// arenas exist, so a host calls this first thing (<see cref="OcrPrerequisites.TuneNativeMemory"/>), before its
    /// threads allocate.
    /// </remarks>
    internal static void KeepPageBuffersInHeap()
    {
        const int M_TRIM_THRESHOLD = -1;
        const int M_MMAP_THRESHOLD = -3;
        const int M_ARENA_MAX = -8;
        if (Interlocked.Exchange(ref s_mallocTuned, 1) == 1 || Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is not null)
        {
            return;
        }

        _ = MallOpt(M_MMAP_THRESHOLD, 64 << 20);
        _ = MallOpt(M_TRIM_THRESHOLD, 32 << 20);
        if (Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is null)
        {
            _ = MallOpt(M_ARENA_MAX, Math.Max(2, Environment.ProcessorCount));
        }

        // Tuned: the OCR stage may now release free heap pages every few pages (ReleaseFreeHeapPages).
        Volatile.Write(ref s_trimHeap, true);
    }

    /// <summary>
    /// Hands the free pages inside glibc's heaps back to the system (<c>malloc_trim(0)</c>). Keeping page buffers in
    /// the heap (above) saves the page faults of a fresh mmap per buffer, but the heap fragments around the few small
    /// allocations that outlive a page, and its free pages stay resident: over 250 MB of them after 1,000 pages. Called
    /// every few pages, this keeps resident memory near the working set; the pages it returns are faulted in again only
    /// when the next buffers reach them (measured: no more CPU on 250 pages; serving page buffers by mmap instead cost
    /// about 8% more system and user time). Does nothing when the allocator was left alone (<c>GLIBC_TUNABLES</c>), or
    /// on a C library without malloc_trim.
    /// </summary>
    internal static void ReleaseFreeHeapPages()
    {
        if (!Volatile.Read(ref s_trimHeap))
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
            Interlocked.Increment(ref s_heapTrims);
        }
        catch (EntryPointNotFoundException)
        {
            Volatile.Write(ref s_trimHeap, false);
        }
    }

    [LibraryImport(LibC, EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    [LibraryImport(LibC, EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);

    [LibraryImport(LibC, EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr DlOpen(string path, int flags);

    [LibraryImport(LibC, EntryPoint = "dlsym", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr DlSym(IntPtr handle, string symbol);

    [LibraryImport(LibC, EntryPoint = "dlerror")]
    private static partial IntPtr DlError();

    [LibraryImport(LibC, EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}

/// <summary>A native library: its import name, soname, the Debian package holding the file, and what to install for it.</summary>
internal sealed record NativeLibraryInfo(string Name, string Soname, string Package, string Install);
