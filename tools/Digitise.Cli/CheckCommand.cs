using System.CommandLine;
using Digitise.Hosting;
using Digitise.Ocr;

namespace Digitise.Cli;

/// <summary><c>digitise check</c>: the native libraries and OCR model this machine gives the pipeline, with their versions.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var check = new Command("check", "Check that the native libraries (Tesseract, Leptonica, ZBar) and the OCR language data are installed, and print their versions.");
        CommonOptions.SetGuardedAction(check, (parse, ct) =>
        {
            Console.WriteLine(TesseractEngine.Probe(new OcrOptions()));
            return Task.FromResult(ExitCodes.Success);
        });
        return check;
    }
}
