using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using System.Xml.Linq;
using Digitise.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Digitise.Verify.Ui.Hosting;

/// <summary>
/// Sessions that live in the database. The cookie carries only a random session id (sealed by data protection); the
/// database keeps its SHA-256 with the account's role and security stamp at sign-in, and every request re-checks the
/// session (not revoked, within its absolute lifetime and idle timeout) and the account (exists, enabled, same role,
/// same stamp). A cookie from an instance on another database names no session here and is refused.
/// </summary>
internal static partial class DatabaseSessions
{
    public const string SessionClaim = "digitise:sid";

    /// <summary>Opens a session for <paramref name="account"/> and issues its cookie. False when the account cannot sign in.</summary>
    public static async Task<bool> SignInAsync(HttpContext context, UserAccount account, CancellationToken cancellationToken)
    {
        ISecurityStore store = context.RequestServices.GetRequiredService<ISecurityStore>();
        VerifyOptions options = context.RequestServices.GetRequiredService<VerifyOptions>();
        string sessionId = Base64Url(RandomNumberGenerator.GetBytes(32));
        if (!await store.CreateSessionAsync(Hash(sessionId), account.UserName, options.AbsoluteSessionLifetime, cancellationToken))
        {
            return false;
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, account.UserName), new Claim(ClaimTypes.Role, account.Role), new Claim(SessionClaim, sessionId)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });
        return true;
    }

    /// <summary>Ends the request's session server-side (a replayed cookie is refused from now on) and clears the cookie.</summary>
    public static async Task SignOutAsync(HttpContext context, string reason, CancellationToken cancellationToken)
    {
        await RevokeAsync(context, reason, cancellationToken);
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>Ends the request's session server-side only (a new sign-in replaces the cookie in the same response).</summary>
    public static async Task RevokeAsync(HttpContext context, string reason, CancellationToken cancellationToken)
    {
        if (context.User.FindFirstValue(SessionClaim) is { Length: > 0 } sessionId)
        {
            await context.RequestServices.GetRequiredService<ISecurityStore>().RevokeSessionAsync(Hash(sessionId), reason, cancellationToken);
        }
    }

    /// <summary>The cookie handler's per-request check (<c>OnValidatePrincipal</c>).</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        HttpContext http = context.HttpContext;
        ClaimsPrincipal? principal = context.Principal;
        string? sessionId = principal?.FindFirstValue(SessionClaim);
        string? claimedName = principal?.Identity?.Name;
        string? claimedRole = principal?.FindFirstValue(ClaimTypes.Role);
        var store = http.RequestServices.GetRequiredService<ISecurityStore>();
        var options = http.RequestServices.GetRequiredService<VerifyOptions>();
        SessionValidation result = string.IsNullOrEmpty(sessionId)
            ? new SessionValidation(SessionCheck.Unknown, null, null)
            : await store.ValidateSessionAsync(Hash(sessionId), options.IdleTimeout, http.RequestAborted);
        if (result.Result == SessionCheck.Valid
            && string.Equals(result.UserName, claimedName, StringComparison.OrdinalIgnoreCase)
            && string.Equals(result.Role, claimedRole, StringComparison.Ordinal))
        {
            return;
        }

        context.RejectPrincipal();
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        ILogger logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Digitise.Verify.Sessions");
        LogRefused(logger, result.Result);

        // A refused session of a real account is evidence (a replayed cookie after sign-out, disable or role change).
        if (result.UserName is { } userName && result.Result != SessionCheck.Unknown)
        {
            await http.RequestServices.GetRequiredService<IVerificationStore>().AppendAuditAsync(
                userName, "session_refused", null, null, result.Result.ToString().ToLowerInvariant(), http.RequestAborted);
        }
    }

    /// <summary>SHA-256 (hex) of a session id: what the database keeps, so reading the database does not give live sessions.</summary>
    public static string Hash(string sessionId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sessionId)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [LoggerMessage(EventId = 9101, Level = LogLevel.Warning, Message = "Session refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, SessionCheck reason);
}

/// <summary>ASP.NET Core's key repository over <see cref="IKeyRingStore"/>: the deployment's database holds the key ring.</summary>
internal sealed class DatabaseXmlRepository : IXmlRepository
{
    private readonly IKeyRingStore _store;

    public DatabaseXmlRepository(IKeyRingStore store) => _store = store;

    public IReadOnlyCollection<XElement> GetAllElements() => _store.ReadKeys().Select(x => XElement.Parse(x)).ToList();

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        _store.StoreKey(friendlyName, element.ToString(SaveOptions.DisableFormatting));
    }
}

/// <summary>
/// Sign-in throttling beyond the per-address rate-limiter policy: a per-user-name limiter (whatever the address) and a
/// cap on concurrent password hashing, so a flood of attempts cannot take every core.
/// </summary>
internal sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perUser;
    private readonly SemaphoreSlim _hashing = new(Math.Max(1, Environment.ProcessorCount / 2));

    public SignInThrottle(VerifyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _perUser = PartitionedRateLimiter.Create<string, string>(name => RateLimitPartition.GetSlidingWindowLimiter(name, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = options.SignInsPerUserPerMinute,
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>False when this user name has had too many attempts this minute.</summary>
    public bool TryAttempt(string userName)
    {
        using RateLimitLease lease = _perUser.AttemptAcquire(userName.ToUpperInvariant());
        return lease.IsAcquired;
    }

    /// <summary>Runs a password check when a hashing slot is free.</summary>
    public async Task<T> HashAsync<T>(Func<Task<T>> check, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        await _hashing.WaitAsync(cancellationToken);
        try
        {
            return await check();
        }
        finally
        {
            _hashing.Release();
        }
    }

    public void Dispose()
    {
        _perUser.Dispose();
        _hashing.Dispose();
    }
}
