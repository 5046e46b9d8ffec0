using System.Runtime.InteropServices;

namespace Digitise.Ocr.Interop;

/// <summary>The ZBar barcode reader (Debian's libzbar0): Code 128, Code 39, QR and the other common symbologies.</summary>
internal static partial class Zbar
{
    internal const int ZBAR_CFG_ENABLE = 0;
    internal const int ZBAR_CFG_MAX_LEN = 0x21;
    internal const int ZBAR_CFG_X_DENSITY = 0x100;
    internal const int ZBAR_CFG_Y_DENSITY = 0x101;

    // zbar_symbol_type_t values
    internal const int Interleaved2Of5 = 25;
    internal const int Code39 = 39;
    internal const int QrCode = 64;
    internal const int Code93 = 93;
    internal const int Code128 = 128;

    /// <summary>fourcc('Y','8','0','0'): 8-bit greyscale, one byte a pixel, rows packed.</summary>
    internal const uint FourccY800 = 'Y' | ('8' << 8) | ('0' << 16) | ((uint)'0' << 24);

    [LibraryImport(Libraries.Zbar, EntryPoint = "zbar_version")]
    private static partial int ZbarVersion(out uint major, out uint minor, out uint patch);

    /// <summary>"zbar 0.23.92" (loads the library).</summary>
    internal static string Version()
    {
        _ = ZbarVersion(out uint major, out uint minor, out uint patch);
        return $"zbar {major}.{minor}.{patch}";
    }

    [LibraryImport(Libraries.Zbar, EntryPoint = "zbar_image_scanner_create")]
    internal static partial ZbarScannerHandle ScannerCreate();

    [LibraryImport(Libraries.Zbar, EntryPoint = "zbar_image_scanner_destroy")]
    internal static partial void ScannerDestroy(IntPtr scanner);

    [LibraryImport(Libraries.Zbar, EntryPoint = "zbar_image_scanner_set_config")]
    internal static partial int ScannerSetConfig(ZbarScannerHandle scanner, int symbology, int config, int value);

    [LibraryImport(Libraries.Zbar, EntryPoint = "zbar_image_create")]
    internal static partial ZbarImageHandle ImageCreate();

    [LibraryImport(Libraries.Zbar, EntryPoint = "zbar_image_destroy")]
    internal static partial void ImageDestroy(IntPtr image);

    [LibraryImport(Libraries.Zbar, EntryPoint = "zbar_image_set_format")]
    internal static partial void ImageSetFormat(ZbarImageHandle image, uint format);

    [LibraryImport(Libraries.Zbar, EntryPoint = "zbar_image_set_size")]
    internal static partial void ImageSetSize(ZbarImageHandle image, uint width, uint height);

    /// <summary>The data is not copied: it must stay alive (pinned) until the scan is over. No cleanup handler.</summary>
    [LibraryImport(Libraries.Zbar, EntryPoint = "zbar_image_set_data")]
    internal static partial void ImageSetData(ZbarImageHandle image, IntPtr data, nuint length, IntPtr cleanup);

    [LibraryImport(Libraries.Zbar, EntryPoint = "zbar_scan_image")]
    internal static partial int ScanImage(ZbarScannerHandle scanner, ZbarImageHandle image);

    [LibraryImport(Libraries.Zbar, EntryPoint = "zbar_image_first_symbol")]
    internal static partial IntPtr ImageFirstSymbol(ZbarImageHandle image);

    [LibraryImport(Libraries.Zbar, EntryPoint = "zbar_symbol_next")]
    internal static partial IntPtr SymbolNext(IntPtr symbol);

    [LibraryImport(Libraries.Zbar, EntryPoint = "zbar_symbol_get_type")]
    internal static partial int SymbolGetType(IntPtr symbol);

    [LibraryImport(Libraries.Zbar, EntryPoint = "zbar_symbol_get_data")]
    internal static partial IntPtr SymbolGetData(IntPtr symbol);

    [LibraryImport(Libraries.Zbar, EntryPoint = "zbar_get_symbol_name")]
    internal static partial IntPtr GetSymbolName(int type);
}

/// <summary>Owns one <c>zbar_image_scanner_t*</c>.</summary>
internal sealed class ZbarScannerHandle : SafeHandle
{
    public ZbarScannerHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Zbar.ScannerDestroy(handle);
        return true;
    }
}

/// <summary>Owns one <c>zbar_image_t*</c> (and its symbol results).</summary>
internal sealed class ZbarImageHandle : SafeHandle
{
    public ZbarImageHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Zbar.ImageDestroy(handle);
        return true;
    }
}
