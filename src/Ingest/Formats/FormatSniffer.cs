using Digitise.Domain;

namespace Digitise.Ingest.Formats;

/// <summary>Recognises an input by its first bytes, never by its extension.</summary>
internal static class FormatSniffer
{
    public static SourceFormat Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 4 && ((head[0] == 'I' && head[1] == 'I' && head[2] == 42 && head[3] == 0) ||
                                 (head[0] == 'M' && head[1] == 'M' && head[2] == 0 && head[3] == 42)))
        {
            return SourceFormat.Tiff;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return SourceFormat.Png;
        }

        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            return SourceFormat.Jpeg;
        }

        // PDF readers accept the header anywhere in the first kilobyte.
        return head[..Math.Min(head.Length, 1024)].IndexOf("%PDF-"u8) >= 0 ? SourceFormat.Pdf : SourceFormat.Unknown;
    }
}
