using System.Runtime.InteropServices;
using Digitise.Hosting;
using Digitise.Ocr.Interop;

namespace Digitise.Ocr;

/// <summary>What the OCR stage needs from the machine: each native library it imports, with its version, and the language data.</summary>
public static class OcrPrerequisites
{
    /// <summary>
    /// Tunes glibc's allocator for page-sized buffers and a few arenas (see <c>Libraries.KeepPageBuffersInHeap</c>).
    /// Call it first thing in a host that OCRs, before other threads allocate; loading Tesseract or Leptonica calls it too.
    /// </summary>
    public static void TuneNativeMemory()
    {
        if (OperatingSystem.IsLinux())
        {
            Libraries.KeepPageBuffersInHeap();
        }
    }

    /// <summary>Which OpenMP runtime runs Tesseract's parallel regions (<c>serial</c>, or libgomp and why); null before Tesseract loads.</summary>
    public static string? OpenMpRuntime => Libraries.OpenMpRuntime;

    /// <summary>How Tesseract's Leptonica calls are served (<c>faster</c>, or as shipped and why); null before Tesseract loads.</summary>
    public static string? TesseractImages => Libraries.TesseractImages;

    public static IReadOnlyList<PrerequisiteStatus> Check(OcrOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Libraries.EnsureRegistered();
        var found = new List<PrerequisiteStatus>();
        foreach (NativeLibraryInfo library in Libraries.Native.Where(l => l.Name != Libraries.LibC))
        {
            found.Add(CheckLibrary(library));
        }

        // Known once libtesseract is loaded (CheckLibrary above loads it).
        if (Libraries.OpenMpRuntime is string runtime)
        {
            found.Add(new PrerequisiteStatus(
                "OpenMP runtime",
                runtime == "serial",
                runtime == "serial" ? $"serial ({Libraries.SerialOpenMpFile}: Tesseract's parallel regions run inline, one engine per core)" : runtime,
                Required: false));
        }

        if (Libraries.TesseractImages is string images)
        {
            bool faster = images == Libraries.TesseractImagesFaster;
            found.Add(new PrerequisiteStatus(
                "Tesseract images",
                faster,
                faster ? $"faster ({Libraries.TesseractImagesFile}: line images kept in memory, not as PNG; line finding by DWA, the same result)" : images,
                Required: false));
        }

        try
        {
            string folder = options.ResolveTessdata();
            foreach (string model in Directory.EnumerateFiles(folder, "*.traineddata").Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(model);
                found.Add(new PrerequisiteStatus(
                    "tessdata " + Path.GetFileNameWithoutExtension(model),
                    true,
                    $"{info.FullName} ({info.Length / 1024.0 / 1024.0:0.0} MiB, {info.LastWriteTimeUtc:yyyy-MM-dd}){(Path.GetFileNameWithoutExtension(model) == options.Language ? ", the configured language (Ocr:Language)" : string.Empty)}",
                    Required: Path.GetFileNameWithoutExtension(model) == options.Language));
            }
        }
        catch (OcrUnavailableException ex)
        {
            found.Add(new PrerequisiteStatus("tessdata " + options.Language, false, ex.Message));
        }

        return found;
    }

    private static PrerequisiteStatus CheckLibrary(NativeLibraryInfo library)
    {
        try
        {
            string version = library.Name switch
            {
                Libraries.Tesseract => "tesseract " + (Marshal.PtrToStringUTF8(Tesseract.TessVersion()) ?? "?"),
                Libraries.Leptonica => Marshal.PtrToStringUTF8(Leptonica.GetLeptonicaVersion()) ?? "?",
                Libraries.Zbar => Zbar.Version(),
                _ => "loaded",
            };
            return new PrerequisiteStatus(library.Soname, true, $"{version} (Debian package {library.Package})");
        }
        catch (Exception ex) when (ex is DllNotFoundException or OcrUnavailableException or EntryPointNotFoundException)
        {
            return new PrerequisiteStatus(library.Soname, false, $"not loadable: install with sudo apt-get install -y {library.Install} (or run ./scripts/setup as root)");
        }
    }
}
