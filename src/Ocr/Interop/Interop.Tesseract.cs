using System.Runtime.InteropServices;

namespace Digitise.Ocr.Interop;

internal static partial class Tesseract
{
    internal const int RIL_TEXTLINE = 2;
    internal const int RIL_WORD = 3;

    internal const int PSM_AUTO = 3;

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessVersion")]
    internal static partial IntPtr TessVersion();

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessBaseAPICreate")]
    internal static partial TessApiHandle TessBaseAPICreate();

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessBaseAPIDelete")]
    internal static partial void TessBaseAPIDelete(IntPtr handle);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessBaseAPIInit3", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int TessBaseAPIInit3(TessApiHandle handle, string dataPath, string language);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessBaseAPISetVariable", StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.I4)]
    internal static partial bool TessBaseAPISetVariable(TessApiHandle handle, string name, string value);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessBaseAPISetPageSegMode")]
    internal static partial void TessBaseAPISetPageSegMode(TessApiHandle handle, int mode);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessBaseAPISetImage2")]
    internal static partial void TessBaseAPISetImage2(TessApiHandle handle, PixHandle pix);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessBaseAPISetSourceResolution")]
    internal static partial void TessBaseAPISetSourceResolution(TessApiHandle handle, int ppi);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessBaseAPIRecognize")]
    internal static partial int TessBaseAPIRecognize(TessApiHandle handle, IntPtr monitor);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessBaseAPIGetUTF8Text")]
    internal static partial IntPtr TessBaseAPIGetUTF8Text(TessApiHandle handle);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessBaseAPIGetIterator")]
    internal static partial IntPtr TessBaseAPIGetIterator(TessApiHandle handle);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessBaseAPIClear")]
    internal static partial void TessBaseAPIClear(TessApiHandle handle);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessResultIteratorDelete")]
    internal static partial void TessResultIteratorDelete(IntPtr iterator);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessResultIteratorGetPageIterator")]
    internal static partial IntPtr TessResultIteratorGetPageIterator(TessResultIteratorHandle iterator);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessResultIteratorNext")]
    [return: MarshalAs(UnmanagedType.I4)]
    internal static partial bool TessResultIteratorNext(TessResultIteratorHandle iterator, int level);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessResultIteratorGetUTF8Text")]
    internal static partial IntPtr TessResultIteratorGetUTF8Text(TessResultIteratorHandle iterator, int level);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessResultIteratorConfidence")]
    internal static partial float TessResultIteratorConfidence(TessResultIteratorHandle iterator, int level);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessPageIteratorIsAtBeginningOf")]
    [return: MarshalAs(UnmanagedType.I4)]
    internal static partial bool TessPageIteratorIsAtBeginningOf(IntPtr pageIterator, int level);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessPageIteratorBoundingBox")]
    [return: MarshalAs(UnmanagedType.I4)]
    internal static partial bool TessPageIteratorBoundingBox(IntPtr pageIterator, int level, out int left, out int top, out int right, out int bottom);

    [LibraryImport(Libraries.Tesseract, EntryPoint = "TessDeleteText")]
    internal static partial void TessDeleteText(IntPtr text);

    /// <summary>Copies a native UTF-8 string owned by Tesseract, then frees it.</summary>
    internal static string TakeText(IntPtr text)
    {
        if (text == IntPtr.Zero)
        {
            return string.Empty;
        }

        try
        {
            return Marshal.PtrToStringUTF8(text) ?? string.Empty;
        }
        finally
        {
            TessDeleteText(text);
        }
    }
}

/// <summary>Owns one <c>TessBaseAPI*</c>.</summary>
internal sealed class TessApiHandle : SafeHandle
{
    public TessApiHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Tesseract.TessBaseAPIDelete(handle);
        return true;
    }
}

/// <summary>
/// Owns one <c>TessResultIterator*</c>. The iterator points into its engine's results, so it holds a reference on the
/// engine's handle (DangerousAddRef) until it is released.
/// </summary>
internal sealed class TessResultIteratorHandle : SafeHandle
{
    private TessApiHandle? _engine;

    public TessResultIteratorHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal static TessResultIteratorHandle? Create(TessApiHandle engine)
    {
        bool added = false;
        engine.DangerousAddRef(ref added);
        IntPtr iterator = Tesseract.TessBaseAPIGetIterator(engine);
        if (iterator == IntPtr.Zero)
        {
            engine.DangerousRelease();
            return null;
        }

        var result = new TessResultIteratorHandle { _engine = engine };
        result.SetHandle(iterator);
        return result;
    }

    protected override bool ReleaseHandle()
    {
        Tesseract.TessResultIteratorDelete(handle);
        _engine?.DangerousRelease();
        _engine = null;
        return true;
    }
}
