namespace Digitise.Ocr;

/// <summary>The OCR engine cannot run on this machine: a native library or language data file is missing.
/// The message says what to install.</summary>
public sealed class OcrUnavailableException : Exception
{
    public OcrUnavailableException(string message)
        : base(message)
    {
    }

    public OcrUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
