namespace Digitise.Ocr;

/// <summary>Settings under <c>Ocr</c> in configuration.</summary>
public sealed class OcrOptions
{
    /// <summary>OCR workers, each with its own engine. 0 means one per core.</summary>
    public int Workers { get; init; }

    /// <summary>Folder holding <c>eng.traineddata</c>; empty means probe TESSDATA_PREFIX and Debian's folders.</summary>
    public string TessdataPath { get; init; } = string.Empty;

    public string Language { get; init; } = "eng";

    /// <summary>Resolution assumed when an image does not state one.</summary>
    public int DefaultDpi { get; init; } = 300;

    /// <summary>Largest page accepted, in pixels (width x height); bigger pages are refused as decompression bombs.</summary>
    public long MaxPixelsPerPage { get; init; } = 200_000_000;

    /// <summary>Make a small JPEG of every page for the verification screen.</summary>
    public bool Previews { get; init; } = true;

    /// <summary>Keep every page's full-resolution corrected image (lossless for bitonal and grey pages) for the searchable PDF.</summary>
    public bool PageImages { get; init; } = true;

    /// <summary>Threads encoding previews and page images beside the OCR workers (a bounded stage of its own).</summary>
    public int EncodeWorkers { get; init; } = 1;

    public int EffectiveWorkers => Workers > 0 ? Workers : Environment.ProcessorCount;

    /// <exception cref="Hosting.ConfigurationException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        Hosting.ConfigurationException.ThrowIfNot(Workers is >= 0 and <= 256, "Ocr:Workers", Workers, "must be between 0 (one per core) and 256");
        Hosting.ConfigurationException.ThrowIfNot(DefaultDpi is >= 50 and <= 2400, "Ocr:DefaultDpi", DefaultDpi, "must be between 50 and 2400");
        Hosting.ConfigurationException.ThrowIfNot(MaxPixelsPerPage > 0, "Ocr:MaxPixelsPerPage", MaxPixelsPerPage, "must be positive");
        Hosting.ConfigurationException.ThrowIfNot(!string.IsNullOrWhiteSpace(Language), "Ocr:Language", Language, "must name a Tesseract language (e.g. eng)");
        Hosting.ConfigurationException.ThrowIfNot(
            string.IsNullOrEmpty(TessdataPath) || Directory.Exists(TessdataPath), "Ocr:TessdataPath", TessdataPath, "must be an existing folder");
    }

    internal static readonly string[] DebianTessdata =
    [
        "/usr/share/tesseract-ocr/5/tessdata",
        "/usr/share/tesseract-ocr/4.00/tessdata",
        "/usr/share/tessdata",
        "/usr/local/share/tessdata",
    ];

    /// <summary>Finds the tessdata folder holding the language file, or throws naming the missing file.</summary>
    public string ResolveTessdata()
    {
        string file = Language + ".traineddata";
        IEnumerable<string> candidates = !string.IsNullOrEmpty(TessdataPath)
            ? [TessdataPath]
            : Environment.GetEnvironmentVariable("TESSDATA_PREFIX") is { Length: > 0 } prefix
                ? [prefix, Path.Combine(prefix, "tessdata"), .. DebianTessdata]
                : DebianTessdata;
        foreach (string folder in candidates)
        {
            if (File.Exists(Path.Combine(folder, file)))
            {
                return folder;
            }
        }

        throw new OcrUnavailableException(
            $"Tesseract language data '{file}' was not found (looked in {string.Join(", ", candidates)}). " +
            $"Install it with: sudo apt-get install -y tesseract-ocr-{Language} (or set Ocr:TessdataPath).");
    }
}
