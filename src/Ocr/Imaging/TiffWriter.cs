using Digitise.Ocr.Interop;

namespace Digitise.Ocr.Imaging;

/// <summary>TIFF compressions a scanner typically writes.</summary>
public enum TiffCompression
{
    None = 0,
    Lzw,

    /// <summary>CCITT Group 4 (bitonal); pages are thresholded to 1 bit per pixel.</summary>
    G4,
}

/// <summary>Writes single- and multi-page TIFF files with Leptonica (used by the sample generator and tests).</summary>
public static class TiffWriter
{
    /// <summary>Writes <paramref name="pages"/> (each an encoded PNG/JPEG) to one TIFF file at <paramref name="path"/>.</summary>
    /// <param name="bitonal">Threshold pages to 1 bit per pixel (always so for G4); otherwise 8-bit grey.</param>
    public static void Write(string path, IReadOnlyList<byte[]> pages, TiffCompression compression, int dpi, bool bitonal = false)
    {
        ArgumentOutOfRangeException.ThrowIfZero(pages.Count);
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        int comptype = compression switch
        {
            TiffCompression.G4 => Leptonica.IFF_TIFF_G4,
            TiffCompression.Lzw => Leptonica.IFF_TIFF_LZW,
            _ => Leptonica.IFF_TIFF,
        };
        for (int i = 0; i < pages.Count; i++)
        {
            using PageBitmap page = PageBitmap.Decode(pages[i], Domain.SourceFormat.Png);
            using PixHandle converted = compression == TiffCompression.G4 || bitonal
                ? Leptonica.PixConvertTo1(page.Pix, 128)
                : Leptonica.PixConvertTo8(page.Pix, 0);
            if (converted.IsInvalid)
            {
                throw new InvalidOperationException($"Page {i + 1} could not be converted for TIFF {compression}.");
            }

            Leptonica.PixSetResolution(converted, dpi, dpi);
            if (Leptonica.PixWriteTiff(path, converted, comptype, i == 0 ? "w" : "a") != 0)
            {
                throw new IOException($"Leptonica could not write page {i + 1} to the TIFF file.");
            }
        }
    }
}
