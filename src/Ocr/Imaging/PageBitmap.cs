using System.Runtime.InteropServices;
using Digitise.Domain;
using Digitise.Ocr.Interop;

namespace Digitise.Ocr.Imaging;

/// <summary>A decoded page image (a Leptonica PIX). Dispose it when done.</summary>
public sealed class PageBitmap : IDisposable
{
    internal PageBitmap(PixHandle pix) => Pix = pix;

    internal PixHandle Pix { get; }

    public int Width => Leptonica.PixGetWidth(Pix);

    public int Height => Leptonica.PixGetHeight(Pix);

    public int Depth => Leptonica.PixGetDepth(Pix);

    /// <summary>Horizontal resolution stored in the image, or 0 when it states none.</summary>
    public int Dpi => Leptonica.PixGetXRes(Pix);

    /// <summary>Decodes a page from an encoded image (TIFF frame, PNG, JPEG) without re-encoding it.</summary>
    /// <exception cref="InvalidDataException">The data is not a readable image.</exception>
    public static unsafe PageBitmap Decode(ReadOnlySpan<byte> data, SourceFormat format, int frame = 0)
    {
        Leptonica.EnsureQuiet();
        PixHandle pix;
        fixed (byte* p = data)
        {
            pix = format == SourceFormat.Tiff
                ? Leptonica.PixReadMemTiff(p, (nuint)data.Length, frame)
                : Leptonica.PixReadMem(p, (nuint)data.Length);
        }

        if (pix.IsInvalid)
        {
            pix.Dispose();
            throw new InvalidDataException(format == SourceFormat.Tiff
                ? $"TIFF page {frame + 1} could not be decoded"
                : $"{format} image could not be decoded");
        }

        return new PageBitmap(pix);
    }

    /// <summary>
    /// The page as 8 bpp grey, read-only: the page itself (a reference, not a copy) when it already is plain grey,
    /// otherwise a converted copy. Dispose it; never draw on it.
    /// </summary>
    internal PixHandle Grey() =>
        Depth == 8 && Leptonica.PixGetColormap(Pix) == IntPtr.Zero ? Leptonica.PixClone(Pix) : Leptonica.PixConvertTo8(Pix, 0);

    /// <summary>The page as a new 8 bpp grey bitmap (for measuring what Tesseract costs on grey input).</summary>
    internal PageBitmap ToGrey() => new(Leptonica.PixConvertTo8(Pix, 0));

    /// <summary>Encodes the page losslessly as PNG (for samples and tests).</summary>
    public byte[] ToPng()
    {
        if (Leptonica.PixWriteMem(out IntPtr data, out nuint size, Pix, Leptonica.IFF_PNG) != 0 || data == IntPtr.Zero)
        {
            throw new InvalidOperationException("Leptonica could not encode the page as PNG.");
        }

        return TakeBytes(data, size);
    }

    /// <summary>
    /// A greyscale JPEG no wider than <paramref name="maxWidth"/> for people to look at (the verification screen).
    /// Word boxes scale by <c>previewWidth / Width</c>. The archived source stays the record; this is only a view.
    /// Halved with 2x2 averaging while the result stays at least 0.9 x <paramref name="maxWidth"/> (a 300 dpi A4 page
    /// becomes 1,240 pixels wide, in a few milliseconds), then averaged down to <paramref name="maxWidth"/> if still wider.
    /// </summary>
    public byte[] ToPreviewJpeg(int maxWidth = 1280, int quality = 75)
    {
        // Bitonal pages go straight to grey at the reduced size; the last step down is by area mapping (an average, no
        // sharpening: pixScale's linear interpolation and unsharp mask of a full-size grey copy cost several times more).
        PixHandle current = Depth == 1 && Width / 2 >= maxWidth * 9 / 10 ? Leptonica.PixScaleToGray2(Pix)
            : Depth == 1 && Width > maxWidth ? Leptonica.PixScaleToGray(Pix, (float)maxWidth / Width)
            : Grey();
        try
        {
            while (!current.IsInvalid && Leptonica.PixGetWidth(current) / 2 >= maxWidth * 9 / 10)
            {
                PixHandle half = Leptonica.PixScaleAreaMap2(current);
                current.Dispose();
                current = half;
            }

            if (!current.IsInvalid && Leptonica.PixGetWidth(current) > maxWidth)
            {
                float scale = (float)maxWidth / Leptonica.PixGetWidth(current);
                PixHandle scaled = Leptonica.PixScaleAreaMap(current, scale, scale);
                current.Dispose();
                current = scaled;
            }

            if (current.IsInvalid || Leptonica.PixWriteMemJpeg(out IntPtr data, out nuint size, current, quality, 0) != 0 || data == IntPtr.Zero)
            {
                throw new InvalidOperationException("Leptonica could not encode the page preview.");
            }

            return TakeBytes(data, size);
        }
        finally
        {
            current.Dispose();
        }
    }

    /// <summary>
    /// The page at full resolution for the searchable PDF and the evidence kept under BS 10008: CCITT Group 4 TIFF
    /// (lossless) for bitonal pages, PNG (lossless) for grey pages, JPEG at <paramref name="jpegQuality"/> for colour
    /// pages (photographs; PNG would be several times larger) and for grey pages scanned as JPEG
    /// (<paramref name="lossySource"/>). Pixel for pixel the bitmap OCR read, so word boxes fit it exactly.
    /// </summary>
    /// <remarks>
    /// Bitonal pages are what bureaus scan, and G4 is what their scanners write: on the bench's text2image letters it
    /// encodes in a fraction of a 1-bit PNG's time and is a fraction of its size (README, "What made the difference").
    /// Grey pages are written with zlib level 1: still lossless, and several times faster to encode than the default
    /// level (which cost more than the page took to OCR), for files about a fifth larger. A grey page whose source was a
    /// JPEG keeps nothing more as PNG than the JPEG held: on the bench's generated pages such a PNG was 2.4-3x the size of
    /// its source (234 KiB in, 674 KiB out) and took 66-90 ms to encode.
    /// </remarks>
    public byte[] ToPageImage(int jpegQuality = 85, bool lossySource = false)
    {
        int depth = Depth;
        bool colour = depth >= 24 || Leptonica.PixGetColormap(Pix) != IntPtr.Zero;
        if (colour || (lossySource && depth == 8))
        {
            if (Leptonica.PixWriteMemJpeg(out IntPtr jpeg, out nuint jpegSize, Pix, jpegQuality, 0) != 0 || jpeg == IntPtr.Zero)
            {
                throw new InvalidOperationException("Leptonica could not encode the page image as JPEG.");
            }

            return TakeBytes(jpeg, jpegSize);
        }

        if (depth == 1)
        {
            if (Leptonica.PixWriteMem(out IntPtr g4, out nuint g4Size, Pix, Leptonica.IFF_TIFF_G4) != 0 || g4 == IntPtr.Zero)
            {
                throw new InvalidOperationException("Leptonica could not encode the page image as G4 TIFF.");
            }

            return TakeBytes(g4, g4Size);
        }

        using PixHandle? converted = depth == 8 ? null : Leptonica.PixConvertTo8(Pix, 0);
        PixHandle source = converted ?? Pix;
        if (source.IsInvalid)
        {
            throw new InvalidOperationException("Leptonica could not convert the page image to 8-bit grey.");
        }

        _ = Leptonica.PixSetZlibCompression(source, 1);
        if (Leptonica.PixWriteMem(out IntPtr data, out nuint size, source, Leptonica.IFF_PNG) != 0 || data == IntPtr.Zero)
        {
            throw new InvalidOperationException("Leptonica could not encode the page image as PNG.");
        }

        return TakeBytes(data, size);
    }

    private static byte[] TakeBytes(IntPtr data, nuint size)
    {
        try
        {
            var bytes = new byte[checked((int)size)];
            Marshal.Copy(data, bytes, 0, bytes.Length);
            return bytes;
        }
        finally
        {
            Leptonica.LeptFree(data);
        }
    }

    public void Dispose() => Pix.Dispose();
}
