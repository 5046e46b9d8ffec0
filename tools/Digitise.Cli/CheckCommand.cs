using System.CommandLine;
using Digitise.Hosting;
using Digitise.Ingest;
using Digitise.Ocr;

namespace Digitise.Cli;

/// <summary>
/// <c>digitise check</c>: every native library the code imports, the programs it runs and the OCR models it finds, each
/// with its version and where it was found; exit code 4 when something required is missing (the line says what to install).
/// </summary>
internal static class CheckCommand
{
    public static Command Create(CommonOptions common)
    {
        var check = new Command("check", "Report the native libraries (Tesseract, Leptonica, ZBar), programs (pdftoppm) and OCR language data this machine gives the pipeline, with their versions; exit code 4 when one is missing.");
        check.Options.Add(common.Config);
        CommonOptions.SetGuardedAction(check, (parse, ct) =>
        {
            DigitiseConfiguration configuration = DigitiseConfiguration.Load(parse.GetValue(common.Config));
            OcrOptions ocr = configuration.Bind<OcrOptions>("Ocr", o => o.Validate());
            IngestOptions ingest = configuration.Bind<IngestOptions>("Ingest", o => o.Validate());
            IReadOnlyList<PrerequisiteStatus> found = [.. OcrPrerequisites.Check(ocr), .. IngestPrerequisites.Check(ingest)];
            int width = found.Max(f => f.Component.Length);
            foreach (PrerequisiteStatus item in found)
            {
                Console.WriteLine($"{(item.Found ? "ok     " : item.Required ? "MISSING" : "absent ")} {item.Component.PadRight(width)}  {item.Detail}");
            }

            return Task.FromResult(found.Any(f => f.Required && !f.Found) ? ExitCodes.MissingPrerequisite : ExitCodes.Success);
        });
        return check;
    }
}
