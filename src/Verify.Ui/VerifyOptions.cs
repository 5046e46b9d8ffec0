using Digitise.Storage;

namespace Digitise.Verify.Ui;

/// <summary>
/// The verification app's settings (configuration section <c>Verify</c>, e.g. <c>DIGITISE_Verify__LeaseMinutes=5</c>),
/// validated at start-up with the name of the setting that is wrong.
/// </summary>
public sealed class VerifyOptions
{
    public const string Section = "Verify";

    /// <summary>The database the pipeline writes: a SQLite file, or a PostgreSQL connection string (several instances may share one).</summary>
    public string DatabasePath { get; set; } = string.Empty;

    /// <summary>Where page previews are read from (default: the store's own, e.g. <c>blobs/</c> beside a SQLite file).</summary>
    public string? Blobs { get; set; }

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

    /// <summary>A session ends this long after sign-in however active it is (a shift), as well as after the idle timeout.</summary>
    public double AbsoluteSessionHours { get; set; } = 10;

    /// <summary>
    /// Where the data-protection keys that seal session cookies are kept. Empty (the default): in the database, so every
    /// instance on one database shares them and no instance on another database can read its cookies. Otherwise a folder
    /// only the service account can read (mode 0700): give each deployment its own.
    /// </summary>
    public string KeyFolder { get; set; } = string.Empty;

    /// <summary>Sign-in attempts allowed per client address per minute (ASP.NET Core rate limiter; 429 beyond).</summary>
    public int SignInsPerAddressPerMinute { get; set; } = 20;

    /// <summary>Sign-in attempts allowed per user name per minute, whatever the address.</summary>
    public int SignInsPerUserPerMinute { get; set; } = 10;

    /// <summary>Consecutive failed sign-ins after which an account is locked (the count is kept in the database).</summary>
    public int LockoutThreshold { get; set; } = 5;

    /// <summary>First lockout; it doubles with each further failure up to <see cref="LockoutMaxMinutes"/>.</summary>
    public double LockoutMinutes { get; set; } = 1;

    public double LockoutMaxMinutes { get; set; } = 60;

    /// <summary>Index searches a clerk may make per minute (a token bucket of <see cref="SearchBurst"/>).</summary>
    public int SearchesPerMinute { get; set; } = 10;

    public int SearchBurst { get; set; } = 20;

    /// <summary>The dashboard flags a user with more index searches than this in the last 24 hours.</summary>
    public int SearchAlertPerDay { get; set; } = 150;

    /// <summary>Largest request body accepted (forms and JSON); larger requests get 413 before they are read.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Addresses of the TLS-terminating reverse proxies whose X-Forwarded-For/-Proto are believed (none by default).</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, e.g. <c>10.0.0.0/8</c>) of trusted reverse proxies.</summary>
    public string[] KnownNetworks { get; set; } = [];

    public TimeSpan Lease => TimeSpan.FromMinutes(LeaseMinutes);

    public TimeSpan AbsoluteSessionLifetime => TimeSpan.FromHours(AbsoluteSessionHours);

    public LockoutPolicy Lockout => new(LockoutThreshold, TimeSpan.FromMinutes(LockoutMinutes), TimeSpan.FromMinutes(LockoutMaxMinutes));

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

        if (AbsoluteSessionHours <= 0 || AbsoluteSessionHours > 24 * 7 || AbsoluteSessionHours * 60 < IdleTimeoutMinutes)
        {
            throw new InvalidOperationException(
                $"Verify:AbsoluteSessionHours must be between Verify:IdleTimeoutMinutes and 168 hours (got {AbsoluteSessionHours}).");
        }

        if (SignInsPerAddressPerMinute < 1 || SignInsPerUserPerMinute < 1 || SearchesPerMinute < 1 || SearchBurst < 1)
        {
            throw new InvalidOperationException(
                "Verify:SignInsPerAddressPerMinute, Verify:SignInsPerUserPerMinute, Verify:SearchesPerMinute and Verify:SearchBurst must be at least 1.");
        }

        if (LockoutThreshold < 1 || LockoutMinutes <= 0 || LockoutMaxMinutes < LockoutMinutes)
        {
            throw new InvalidOperationException("Verify:LockoutThreshold must be at least 1 and 0 < Verify:LockoutMinutes <= Verify:LockoutMaxMinutes.");
        }

        if (MaxRequestBodyBytes is < 4096 or > 100 * 1024 * 1024)
        {
            throw new InvalidOperationException($"Verify:MaxRequestBodyBytes must be between 4096 and 104857600 (got {MaxRequestBodyBytes}).");
        }

        foreach (string proxy in KnownProxies)
        {
            if (!System.Net.IPAddress.TryParse(proxy, out _))
            {
                throw new InvalidOperationException($"Verify:KnownProxies: '{proxy}' is not an IP address.");
            }
        }

        foreach (string network in KnownNetworks)
        {
            if (!System.Net.IPNetwork.TryParse(network, out _))
            {
                throw new InvalidOperationException($"Verify:KnownNetworks: '{network}' is not a CIDR network such as 10.0.0.0/8.");
            }
        }

        if (LowConfidence is < 0 or > 100)
        {
            throw new InvalidOperationException($"Verify:LowConfidence must be between 0 and 100 (got {LowConfidence}).");
        }
    }
}
