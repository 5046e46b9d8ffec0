namespace Digitise.Hosting;

/// <summary>
/// The exit codes of every <c>digitise</c> command (README "Exit codes"). One table, read by one handler
/// (<see cref="ExitCodes.For"/>): a command never picks a number of its own.
/// </summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked (a run with quarantined documents included: bad input is data).</summary>
    public const int Success = 0;

    /// <summary>The command itself failed: a file or folder it needs is missing or unreadable, the database cannot be used.</summary>
    public const int Failed = 1;

    /// <summary>A check found a problem in the data: <c>report</c>'s reconciliation does not balance.</summary>
    public const int CheckFailed = 2;

    /// <summary>A setting or command-line value is wrong; the message names it and the value.</summary>
    public const int Configuration = 3;

    /// <summary>Something to install is missing: a native library or an OCR model; the message says what to install.</summary>
    public const int MissingPrerequisite = 4;

    /// <summary>Interrupted with Ctrl+C; what finished is stored, rerunning carries on.</summary>
    public const int Interrupted = 130;

    /// <summary>
    /// The exit code for a failure, or null for an exception that is a bug (let it surface with its stack trace).
    /// </summary>
    public static int? For(Exception exception) => exception switch
    {
        DigitiseException digitise => digitise.ExitCode,
        OperationCanceledException => Interrupted,
        FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException => Failed,
        InvalidDataException => Failed, // an input file (CSV, MPI) that is not what it should be; the message names it
        System.Data.Common.DbException => Failed,
        InvalidOperationException => Failed,
        _ => null,
    };
}

/// <summary>The family of failures a <c>digitise</c> command reports as one line and an exit code (<see cref="ExitCodes"/>).</summary>
public abstract class DigitiseException : Exception
{
    protected DigitiseException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public abstract int ExitCode { get; }
}

/// <summary>A setting (configuration key or command-line option) has a value that cannot be used.</summary>
public sealed class ConfigurationException : DigitiseException
{
    /// <param name="setting">The setting as a user writes it, e.g. <c>Matching:AutoFileProbability</c> or <c>--workers</c>.</param>
    /// <param name="value">The bad value as given (null when missing).</param>
    /// <param name="rule">What it must be, e.g. "must be in (0.5, 1]".</param>
    public ConfigurationException(string setting, string? value, string rule, Exception? innerException = null)
        : base($"{setting} {rule} (got {(value is null ? "nothing" : "'" + value + "'")}).", innerException)
    {
        Setting = setting;
        Value = value;
    }

    public string Setting { get; }

    public string? Value { get; }

    public override int ExitCode => ExitCodes.Configuration;

    /// <summary>Throws when <paramref name="valid"/> is false.</summary>
    public static void ThrowIfNot(bool valid, string setting, object? value, string rule)
    {
        if (!valid)
        {
            throw new ConfigurationException(setting, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), rule);
        }
    }
}

/// <summary>Something the command needs is not installed (a native library, an OCR model); the message says what to install.</summary>
public class PrerequisiteException : DigitiseException
{
    public PrerequisiteException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public override int ExitCode => ExitCodes.MissingPrerequisite;
}

/// <summary>The command could not do its work (a missing input file, an unknown batch); the message says what to do.</summary>
public sealed class CommandFailedException : DigitiseException
{
    public CommandFailedException(string message, int exitCode = ExitCodes.Failed, Exception? innerException = null)
        : base(message, innerException) => ExitCode = exitCode;

    public override int ExitCode { get; }
}

/// <summary>One thing the pipeline needs from the machine (a native library, a program, a model), as <c>digitise check</c> reports it.</summary>
/// <param name="Component">What it is, e.g. "libtesseract.so.5" or "tessdata eng".</param>
/// <param name="Found">False when it is missing or unusable.</param>
/// <param name="Detail">The version and where it was found; when missing, what to install.</param>
/// <param name="Required">False for what only some inputs need (the run goes on without it, quarantining those inputs).</param>
public sealed record PrerequisiteStatus(string Component, bool Found, string Detail, bool Required = true);
