using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Digitise.Domain;
using Digitise.Ocr.Imaging;
using Digitise.Ocr.Interop;

namespace Digitise.Ocr;

/// <summary>What one recognition produced.</summary>
public sealed record OcrResult(string Text, IReadOnlyList<Word> Words, float MeanConfidence, int WidthPx, int HeightPx, int Dpi, TimeSpan Elapsed);

/// <summary>
/// One initialised Tesseract engine. Initialisation loads the language model (slow), so an engine is created once
/// per OCR worker and reused for every page it handles. Not thread-safe: one page at a time.
/// </summary>
public sealed class TesseractEngine : IDisposable
{
    private readonly TessApiHandle _api;
    private readonly int _defaultDpi;

    public TesseractEngine(OcrOptions options)
    {
        string tessdata = options.ResolveTessdata();
        Libraries.EnsureRegistered();
        Leptonica.EnsureQuiet();
        try
        {
            _api = Tesseract.TessBaseAPICreate();
        }
        catch (DllNotFoundException ex)
        {
            throw new OcrUnavailableException(
                $"The native library '{Libraries.TesseractSoname}' could not be loaded. Install it with: sudo apt-get install -y tesseract-ocr tesseract-ocr-eng", ex);
        }

        if (_api.IsInvalid)
        {
            throw new OcrUnavailableException("Tesseract could not create an engine.");
        }

        // Keep Tesseract's diagnostics ("Estimating resolution ...") off the operator's console.
        Tesseract.TessBaseAPISetVariable(_api, "debug_file", "/dev/null");
        if (Tesseract.TessBaseAPIInit3(_api, tessdata, options.Language) != 0)
        {
            _api.Dispose();
            throw new OcrUnavailableException(
                $"Tesseract could not load '{options.Language}.traineddata' from '{tessdata}'. Reinstall it with: sudo apt-get install --reinstall -y tesseract-ocr-{options.Language}");
        }

        Tesseract.TessBaseAPISetPageSegMode(_api, Tesseract.PSM_AUTO);
        _defaultDpi = options.DefaultDpi;
    }

    /// <summary>The versions of the loaded native libraries; throws <see cref="OcrUnavailableException"/> saying what to install.</summary>
    public static string Probe(OcrOptions options)
    {
        Libraries.EnsureRegistered();
        string tessdata = options.ResolveTessdata();
        try
        {
            string tesseract = Marshal.PtrToStringUTF8(Tesseract.TessVersion()) ?? "?";
            string leptonica = Marshal.PtrToStringUTF8(Leptonica.GetLeptonicaVersion()) ?? "?";
            return $"tesseract {tesseract}, {leptonica}, tessdata {tessdata}";
        }
        catch (DllNotFoundException ex)
        {
            throw new OcrUnavailableException(
                $"The native OCR libraries ({Libraries.TesseractSoname}, {Libraries.LeptonicaSoname}) could not be loaded. Install them with: sudo apt-get install -y tesseract-ocr tesseract-ocr-eng", ex);
        }
    }

    /// <summary>Recognises an encoded page image (TIFF frame, PNG, JPEG).</summary>
    public OcrResult Recognise(ReadOnlySpan<byte> encoded, SourceFormat format, int frame = 0, int? dpiHint = null)
    {
        using PageBitmap page = PageBitmap.Decode(encoded, format, frame);
        return Recognise(page, dpiHint);
    }

    /// <summary>Recognises a decoded page. Tesseract copies the image, so <paramref name="page"/> may be disposed afterwards.</summary>
    /// <param name="region">
    /// Only this part of the page is read (null: all of it); word boxes still refer to the whole page. Give it the part
    /// that holds marks (<see cref="PageAnalysis.Content"/>), or words outside it are lost.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="region"/> is empty or not inside the page.</exception>
    public OcrResult Recognise(PageBitmap page, int? dpiHint = null, PixelBox? region = null)
    {
        ObjectDisposedException.ThrowIf(_api.IsClosed, this);
        long started = Stopwatch.GetTimestamp();
        int dpi = page.Dpi is > 0 and var stated ? stated : dpiHint ?? _defaultDpi;
        if (region is not PixelBox part)
        {
            return Recognise(page.Pix, dpi, 0, 0, page.Width, page.Height, started);
        }

        if (part.Left < 0 || part.Top < 0 || part.Width <= 0 || part.Height <= 0 || part.Right > page.Width || part.Bottom > page.Height)
        {
            throw new ArgumentOutOfRangeException(nameof(region), part, $"not inside the {page.Width}x{page.Height} page");
        }

        // The part is clipped here rather than named to Tesseract (TessBaseAPISetRectangle): given a rectangle of a
        // bitonal page, Tesseract 5.3 read samples/batch/doc-0001.tif as garbage (35% of characters wrong, where the same
        // part clipped read it perfectly).
        using BoxHandle box = Leptonica.BoxCreate(part.Left, part.Top, part.Width, part.Height);
        using PixHandle clipped = Leptonica.PixClipRectangle(page.Pix, box, IntPtr.Zero);
        if (clipped.IsInvalid)
        {
            throw new InvalidDataException($"Leptonica could not clip the page to {part}");
        }

        return Recognise(clipped, dpi, part.Left, part.Top, page.Width, page.Height, started);
    }

    /// <summary>Recognises <paramref name="pix"/>, a part of a page whose top left corner is at (<paramref name="left"/>, <paramref name="top"/>) on it.</summary>
    private OcrResult Recognise(PixHandle pix, int dpi, int left, int top, int width, int height, long started)
    {
        try
        {
            Tesseract.TessBaseAPISetImage2(_api, pix);
            Tesseract.TessBaseAPISetSourceResolution(_api, dpi);
            if (Tesseract.TessBaseAPIRecognize(_api, IntPtr.Zero) != 0)
            {
                throw new InvalidDataException("Tesseract could not recognise the page");
            }

            (string text, List<Word> words) = ReadWords(left, top);
            float mean = words.Count == 0 ? 0f : words.Average(w => w.Confidence);
            return new OcrResult(text, words, mean, width, height, dpi, Stopwatch.GetElapsedTime(started));
        }
        finally
        {
            Tesseract.TessBaseAPIClear(_api);
        }
    }

    /// <summary>Recognises <paramref name="page"/> and returns only Tesseract's own page text (no word boxes): for measurements.</summary>
    internal string RecogniseTextOnly(PageBitmap page, int dpi)
    {
        try
        {
            Tesseract.TessBaseAPISetImage2(_api, page.Pix);
            Tesseract.TessBaseAPISetSourceResolution(_api, dpi);
            return Tesseract.TessBaseAPIRecognize(_api, IntPtr.Zero) == 0 ? Tesseract.TakeText(Tesseract.TessBaseAPIGetUTF8Text(_api)) : string.Empty;
        }
        finally
        {
            Tesseract.TessBaseAPIClear(_api);
        }
    }

    /// <summary>Tesseract's words, their boxes moved by (<paramref name="dx"/>, <paramref name="dy"/>) onto the whole page.</summary>
    private (string Text, List<Word> Words) ReadWords(int dx, int dy)
    {
        var words = new List<Word>();
        var text = new StringBuilder();
        using TessResultIteratorHandle? iterator = TessResultIteratorHandle.Create(_api);
        if (iterator is null)
        {
            return (string.Empty, words);
        }

        IntPtr pageIterator = Tesseract.TessResultIteratorGetPageIterator(iterator);
        int line = -1;
        bool newLine = false;
        do
        {
            newLine |= Tesseract.TessPageIteratorIsAtBeginningOf(pageIterator, Tesseract.RIL_TEXTLINE);
            string wordText = Tesseract.TakeText(Tesseract.TessResultIteratorGetUTF8Text(iterator, Tesseract.RIL_WORD)).Trim();
            if (wordText.Length == 0 || !Tesseract.TessPageIteratorBoundingBox(pageIterator, Tesseract.RIL_WORD, out int left, out int top, out int right, out int bottom))
            {
                continue;
            }

            if (newLine || line < 0)
            {
                line++;
                if (text.Length > 0)
                {
                    text.Append('\n');
                }
            }
            else
            {
                text.Append(' ');
            }

            newLine = false;
            text.Append(wordText);
            float confidence = Tesseract.TessResultIteratorConfidence(iterator, Tesseract.RIL_WORD);
            words.Add(new Word(wordText, new PixelBox(left + dx, top + dy, right - left, bottom - top), confidence, line));
        }
        while (Tesseract.TessResultIteratorNext(iterator, Tesseract.RIL_WORD));

        return (text.ToString(), words);
    }

    public void Dispose() => _api.Dispose();
}
