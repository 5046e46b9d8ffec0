using Digitise.Hosting;

namespace Digitise.Ocr;

/// <summary>The OCR engine cannot run on this machine: a native library or language data file is missing.
/// The message says what to install (exit code <see cref="ExitCodes.MissingPrerequisite"/>).</summary>
public sealed class OcrUnavailableException : PrerequisiteException
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
