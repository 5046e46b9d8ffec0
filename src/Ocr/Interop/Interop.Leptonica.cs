using System.Runtime.InteropServices;

namespace Digitise.Ocr.Interop;

internal static partial class Leptonica
{
    // File formats (imageio.h)
    internal const int IFF_PNG = 3;
    internal const int IFF_TIFF = 4;
    internal const int IFF_TIFF_LZW = 9;
    internal const int IFF_TIFF_G4 = 8;

    internal const int L_SEVERITY_NONE = 7;

    internal const int L_ROTATE_AREA_MAP = 1;
    internal const int L_ROTATE_SHEAR = 2;
    internal const int L_BRING_IN_WHITE = 1;
    internal const int L_MEAN_ABSVAL = 1;
    internal const int L_CHOOSE_MIN = 1;

    internal const int L_TEXT_ORIENT_UP = 1;
    internal const int L_TEXT_ORIENT_LEFT = 2;
    internal const int L_TEXT_ORIENT_DOWN = 3;
    internal const int L_TEXT_ORIENT_RIGHT = 4;

    private static int s_quiet;

    /// <summary>Registers the resolver and silences Leptonica's stderr messages: failures are reported as quarantine reasons instead.</summary>
    internal static void EnsureQuiet()
    {
        if (Interlocked.Exchange(ref s_quiet, 1) == 0)
        {
            Libraries.EnsureRegistered();
            SetMsgSeverity(L_SEVERITY_NONE);
        }
    }

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixReadMem")]
    internal static unsafe partial PixHandle PixReadMem(byte* data, nuint size);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixReadMemTiff")]
    internal static unsafe partial PixHandle PixReadMemTiff(byte* data, nuint size, int n);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixDestroy")]
    internal static partial void PixDestroy(ref IntPtr pix);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixGetWidth")]
    internal static partial int PixGetWidth(PixHandle pix);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixGetHeight")]
    internal static partial int PixGetHeight(PixHandle pix);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixGetDepth")]
    internal static partial int PixGetDepth(PixHandle pix);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixGetXRes")]
    internal static partial int PixGetXRes(PixHandle pix);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixGetYRes")]
    internal static partial int PixGetYRes(PixHandle pix);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixSetResolution")]
    internal static partial int PixSetResolution(PixHandle pix, int xres, int yres);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixConvertTo8")]
    internal static partial PixHandle PixConvertTo8(PixHandle pix, int cmapflag);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixConvertTo1")]
    internal static partial PixHandle PixConvertTo1(PixHandle pix, int threshold);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixWriteTiff", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int PixWriteTiff(string filename, PixHandle pix, int comptype, string modestr);

    /// <summary>Sets <paramref name="same"/> to 1 when the two images have the same size, depth and pixels.</summary>
    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixEqual")]
    internal static partial int PixEqual(PixHandle pix1, PixHandle pix2, out int same);

    /// <summary>zlib level (0-9) for the next PNG write of <paramref name="pix"/>.</summary>
    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixSetZlibCompression")]
    internal static partial int PixSetZlibCompression(PixHandle pix, int compval);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixWriteMem")]
    internal static partial int PixWriteMem(out IntPtr data, out nuint size, PixHandle pix, int format);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixWriteMemJpeg")]
    internal static partial int PixWriteMemJpeg(out IntPtr data, out nuint size, PixHandle pix, int quality, int progressive);

    /// <summary>Scales an 8 or 32 bpp image down, each output pixel the mean of the source area it covers (no sharpening).</summary>
    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixScaleAreaMap")]
    internal static partial PixHandle PixScaleAreaMap(PixHandle pix, float scaleX, float scaleY);

    /// <summary>Scales a 1 bpp image down (factor below 1) straight to 8 bpp grey.</summary>
    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixScaleToGray")]
    internal static partial PixHandle PixScaleToGray(PixHandle pix, float scale);

    /// <summary>Halves an 8 or 32 bpp image, each output pixel the mean of a 2x2 block (fast, anti-aliased).</summary>
    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixScaleAreaMap2")]
    internal static partial PixHandle PixScaleAreaMap2(PixHandle pix);

    /// <summary>Halves a 1 bpp image; a pixel is on when at least <paramref name="level"/> (1-4) of its 2x2 block are.</summary>
    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixReduceRankBinary2")]
    internal static partial PixHandle PixReduceRankBinary2(PixHandle pix, int level, IntPtr intab);

    /// <summary>Halves a 1 bpp image into 8 bpp grey (each pixel the ink share of its 2x2 block).</summary>
    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixScaleToGray2")]
    internal static partial PixHandle PixScaleToGray2(PixHandle pix);

    /// <summary>A new reference to the same image (reference counted, no copy).</summary>
    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixClone")]
    internal static partial PixHandle PixClone(PixHandle pix);

    /// <summary>The image's raster: <see cref="PixGetWpl"/> 32-bit words a line, most significant bit first for 1 bpp. Owned by the image.</summary>
    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixGetData")]
    internal static unsafe partial uint* PixGetData(PixHandle pix);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixGetWpl")]
    internal static partial int PixGetWpl(PixHandle pix);

    /// <summary>Sets every pixel inside <paramref name="box"/> to 0 (white for 1 bpp, black for grey).</summary>
    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixClearInRect")]
    internal static partial int PixClearInRect(PixHandle pix, BoxHandle box);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixGetColormap")]
    internal static partial IntPtr PixGetColormap(PixHandle pix);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixFindSkew")]
    internal static partial int PixFindSkew(PixHandle pix, out float angle, out float confidence);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixRotate")]
    internal static partial PixHandle PixRotate(PixHandle pix, float radians, int type, int incolor, int width, int height);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixOrientDetect")]
    internal static partial int PixOrientDetect(PixHandle pix, out float upConfidence, out float leftConfidence, int minCount, int debug);

    /// <summary>Confidence that the text of a deskewed 1 bpp page (150-300 ppi) is right side up: positive up, negative upside down.</summary>
    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixUpDownDetect")]
    internal static partial int PixUpDownDetect(PixHandle pix, out float confidence, int minCount, int npixels, int debug);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "makeOrientDecision")]
    internal static partial int MakeOrientDecision(float upConfidence, float leftConfidence, float minUpConfidence, float minRatio, out int orientation, int debug);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixRotateOrth")]
    internal static partial PixHandle PixRotateOrth(PixHandle pix, int quads);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixCountPixels")]
    internal static partial int PixCountPixels(PixHandle pix, out int count, IntPtr tab8);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixOpenBrick")]
    internal static partial PixHandle PixOpenBrick(IntPtr pixd, PixHandle pix, int hsize, int vsize);

    /// <summary>Leptonica's own brick closing (rasterop), for tests to hold the line finder's faster one against.</summary>
    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixCloseBrick")]
    internal static partial PixHandle PixCloseBrick(IntPtr pixd, PixHandle pix, int hsize, int vsize);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixGetAverageMasked")]
    internal static partial int PixGetAverageMasked(PixHandle pix, IntPtr mask, int x, int y, int factor, int type, out float value);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixGetRasterData")]
    internal static partial int PixGetRasterData(PixHandle pix, out IntPtr data, out nuint size);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixClipRectangle")]
    internal static partial PixHandle PixClipRectangle(PixHandle pix, BoxHandle box, IntPtr boxc);

    /// <summary>The bounding box of a 1 bpp image's foreground (null box and non-zero when there is none).</summary>
    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixClipBoxToForeground")]
    internal static partial int PixClipBoxToForeground(PixHandle pix, IntPtr boxs, IntPtr ppixd, out BoxHandle box);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "boxGetGeometry")]
    internal static partial int BoxGetGeometry(BoxHandle box, out int x, out int y, out int w, out int h);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixConvertTo32")]
    internal static partial PixHandle PixConvertTo32(PixHandle pix);

    /// <summary>Grey from the darkest (<see cref="L_CHOOSE_MIN"/>) or lightest of each pixel's three channels.</summary>
    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixConvertRGBToGrayMinMax")]
    internal static partial PixHandle PixConvertRgbToGreyMinMax(PixHandle pix, int type);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "pixXor")]
    internal static partial PixHandle PixXor(IntPtr pixd, PixHandle pix1, PixHandle pix2);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "boxCreate")]
    internal static partial BoxHandle BoxCreate(int x, int y, int w, int h);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "boxDestroy")]
    internal static partial void BoxDestroy(ref IntPtr box);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "lept_free")]
    internal static partial void LeptFree(IntPtr ptr);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "setMsgSeverity")]
    internal static partial int SetMsgSeverity(int newsev);

    [LibraryImport(Libraries.Leptonica, EntryPoint = "getLeptonicaVersion")]
    internal static partial IntPtr GetLeptonicaVersion();
}

/// <summary>Owns one Leptonica <c>BOX*</c>.</summary>
internal sealed class BoxHandle : SafeHandle
{
    public BoxHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        IntPtr box = handle;
        Leptonica.BoxDestroy(ref box);
        return true;
    }
}

/// <summary>Owns one Leptonica <c>PIX*</c>; destroyed only from <see cref="ReleaseHandle"/>.</summary>
internal sealed class PixHandle : SafeHandle
{
    public PixHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Takes ownership of a <c>PIX*</c> returned by native code outside a <c>[LibraryImport]</c>.</summary>
    internal static PixHandle Own(IntPtr pix)
    {
        var owned = new PixHandle();
        owned.SetHandle(pix);
        return owned;
    }

    protected override bool ReleaseHandle()
    {
        IntPtr pix = handle;
        Leptonica.PixDestroy(ref pix);
        return true;
    }
}
