namespace Digitise.Verify.Ui;

/// <summary>
/// The verification app's settings (configuration section <c>Verify</c>, e.g. <c>DIGITISE_Verify__LeaseMinutes=5</c>),
/// validated at start-up with the name of the setting that is wrong.
/// </summary>
public sealed class VerifyOptions
{
    public const string Section = "Verify";

    /// <summary>The SQLite database the pipeline writes; page previews are read from <c>blobs/</c> beside it.</summary>
    public string DatabasePath { get; set; } = string.Empty;

    /// <summary>How long a document stays leased to one clerk before another may take it.</summary>
    public double LeaseMinutes { get; set; } = 10;

    /// <summary>A session ends after this long without a request.</summary>
    public double IdleTimeoutMinutes { get; set; } = 20;

    /// <summary>Share (0-1) of auto-filed documents sampled for a QA second look.</summary>
    public double QaShare { get; set; } = 0.05;

    /// <summary>High-risk documents (any matcher risk flag) need a second, independent confirmation.</summary>
    public bool SecondConfirmation { get; set; } = true;

    /// <summary>Words the OCR read with less confidence (0-100) are marked as uncertain.</summary>
    public double LowConfidence { get; set; } = 80;

    public TimeSpan Lease => TimeSpan.FromMinutes(LeaseMinutes);

    public TimeSpan IdleTimeout => TimeSpan.FromMinutes(IdleTimeoutMinutes);

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DatabasePath))
        {
            throw new InvalidOperationException("Verify:DatabasePath is not set: pass --db FILE (or set DIGITISE_DB).");
        }

        if (LeaseMinutes is <= 0 or > 24 * 60)
        {
            throw new InvalidOperationException($"Verify:LeaseMinutes must be between 0 and 1440 (got {LeaseMinutes}).");
        }

        if (IdleTimeoutMinutes is <= 0 or > 24 * 60)
        {
            throw new InvalidOperationException($"Verify:IdleTimeoutMinutes must be between 0 and 1440 (got {IdleTimeoutMinutes}).");
        }

        if (QaShare is < 0 or > 1 || double.IsNaN(QaShare))
        {
            throw new InvalidOperationException($"Verify:QaShare must be between 0 and 1 (got {QaShare}).");
        }

        if (LowConfidence is < 0 or > 100)
        {
            throw new InvalidOperationException($"Verify:LowConfidence must be between 0 and 100 (got {LowConfidence}).");
        }
    }
}
