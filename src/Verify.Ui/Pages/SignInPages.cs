using System.Security.Claims;
using Digitise.Storage;
using Digitise.Verify.Ui.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;

namespace Digitise.Verify.Ui.Pages;

/// <summary>Sign-in and sign-out (forms with antiforgery tokens).</summary>
internal static class SignInPages
{
    /// <summary>Longest user name and password the form accepts (longer is refused before any lookup or hashing).</summary>
    private const int MaxUserName = 64;
    private const int MaxPassword = 256;

    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/signin", (HttpContext context, string? returnUrl) => Results.Content(Form(context, returnUrl, null), "text/html; charset=utf-8"))
            .AllowAnonymous().ExcludeFromDescription();

        // Antiforgery is checked in the handler, so a form opened before someone else signed in on this browser still works.
        endpoints.MapPost("/signin", SignInAsync).AllowAnonymous().DisableAntiforgery().RequireRateLimiting(RateLimits.SignIn).ExcludeFromDescription();
        endpoints.MapPost("/signout", (HttpContext context, CancellationToken ct) => SignOutAsync(context, everywhere: false, ct))
            .RequireAuthorization().ExcludeFromDescription();
        endpoints.MapPost("/signout/everywhere", (HttpContext context, CancellationToken ct) => SignOutAsync(context, everywhere: true, ct))
            .RequireAuthorization().ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> SignInAsync(
        HttpContext context,
        [FromForm] string? userName,
        [FromForm] string? password,
        [FromForm] string? returnUrl,
        UserPasswords passwords,
        SignInThrottle throttle,
        IVerificationStore store,
        ISecurityStore security,
        VerifyOptions options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!await IsFormTokenValidAsync(context))
        {
            return FormResult(context, returnUrl, "The sign-in form had expired: please sign in again.", StatusCodes.Status400BadRequest);
        }

        string name = userName?.Trim() ?? string.Empty;
        if (name.Length is 0 or > MaxUserName || string.IsNullOrEmpty(password) || password.Length > MaxPassword)
        {
            return FormResult(context, returnUrl, "The user name or password is not right.", StatusCodes.Status400BadRequest);
        }

        if (!throttle.TryAttempt(name))
        {
            return FormResult(context, returnUrl, "Too many attempts for this account: wait a minute, then try again.", StatusCodes.Status429TooManyRequests);
        }

        // A locked account is refused without checking the password (the same message either way: no user enumeration).
        UserAccount? known = await store.FindUserAsync(name, cancellationToken);
        if (known is not null && (await security.GetLockoutAsync(known.UserName, cancellationToken)).LockedUntilUtc is { } until && until > time.GetUtcNow())
        {
            // Attempts while locked count too, so a persistent guesser backs off exponentially (up to Verify:LockoutMaxMinutes).
            await store.AppendAuditAsync(known.UserName, "sign_in_refused_locked", null, null, string.Empty, cancellationToken);
            await security.RecordSignInFailureAsync(known.UserName, options.Lockout, cancellationToken);
            return FormResult(context, returnUrl, FailedMessage, StatusCodes.Status401Unauthorized);
        }

        UserAccount? account = await throttle.HashAsync(() => passwords.VerifyAsync(name, password, cancellationToken), cancellationToken);
        if (account is null)
        {
            // The attempted name is recorded only when it is a real account; the password never is.
            if (known is not null)
            {
                await store.AppendAuditAsync(known.UserName, "sign_in_failed", null, null, string.Empty, cancellationToken);
                await security.RecordSignInFailureAsync(known.UserName, options.Lockout, cancellationToken);
            }

            return FormResult(context, returnUrl, FailedMessage, StatusCodes.Status401Unauthorized);
        }

        // Signing in over someone else's session (a shared workstation) ends that session first.
        if (context.User.Identity?.IsAuthenticated == true)
        {
            await DatabaseSessions.RevokeAsync(context, "replaced_by_sign_in", cancellationToken);
        }

        await security.ResetSignInFailuresAsync(account.UserName, cancellationToken);
        if (!await DatabaseSessions.SignInAsync(context, account, cancellationToken))
        {
            return FormResult(context, returnUrl, FailedMessage, StatusCodes.Status401Unauthorized);
        }

        await store.AppendAuditAsync(account.UserName, "sign_in", null, null, account.Role, cancellationToken);
        return Results.Redirect(SafeReturnUrl(returnUrl));
    }

    private const string FailedMessage = "The user name or password is not right, or the account is locked after too many failed attempts: wait, then try again.";

    private static async Task<IResult> SignOutAsync(HttpContext context, bool everywhere, CancellationToken cancellationToken)
    {
        // No form field is bound here, so the antiforgery middleware would not stop a cross-site POST: check it explicitly.
        if (!await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
        {
            return Results.Content(Html.Page(context, "Sign out", string.Empty,
                "<main class=\"narrow\"><div class=\"card\"><h1>Sign out</h1><p>The request was not from this site's form: use the Sign out button.</p></div></main>"),
                "text/html; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }

        string name = context.User.Identity?.Name ?? string.Empty;
        IVerificationStore store = context.RequestServices.GetRequiredService<IVerificationStore>();
        if (everywhere)
        {
            await context.RequestServices.GetRequiredService<ISecurityStore>().RevokeUserSessionsAsync(name, name, cancellationToken);
        }

        await DatabaseSessions.SignOutAsync(context, "signed_out", cancellationToken);
        await store.AppendAuditAsync(name, everywhere ? "sign_out_everywhere" : "sign_out", null, null, string.Empty, cancellationToken);
        return Results.Redirect("/signin");
    }

    /// <summary>
    /// The form's antiforgery token. A token issued to an anonymous visitor stays valid when the browser has since signed
    /// in as someone (another tab): signing in again over a session is allowed, so that is not a forgery.
    /// </summary>
    private static async Task<bool> IsFormTokenValidAsync(HttpContext context)
    {
        IAntiforgery antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        if (await antiforgery.IsRequestValidAsync(context))
        {
            return true;
        }

        if (context.User.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        ClaimsPrincipal signedIn = context.User;
        context.User = new ClaimsPrincipal(new ClaimsIdentity());
        bool valid = await antiforgery.IsRequestValidAsync(context);
        context.User = signedIn;
        return valid;
    }

    /// <summary>A local path to go to after sign-in: printable ASCII, starting with one '/', else "/".</summary>
    internal static string SafeReturnUrl(string? url) =>
        url is { Length: > 0 and <= 512 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && url.All(c => c is > ' ' and < '\u007f')
            ? url
            : "/";

    private static IResult FormResult(HttpContext context, string? returnUrl, string error, int status) =>
        Results.Content(Form(context, returnUrl, error), "text/html; charset=utf-8", statusCode: status);

    private static string Form(HttpContext context, string? returnUrl, string? error)
    {
        var antiforgery = context.RequestServices.GetRequiredService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>();
        var tokens = antiforgery.GetAndStoreTokens(context);
        string message = error is null ? string.Empty : $"<p class=\"error\" role=\"alert\" data-testid=\"signin-error\">{Html.E(error)}</p>";
        string body = $"""
            <main class="signin">
              <form method="post" action="/signin" class="card signin-card" data-testid="signin-form">
                <h1>Sign in</h1>
                <p class="muted">Health records verification. Every document and patient you view is recorded.</p>
                {message}
                <input type="hidden" name="{Html.E(tokens.FormFieldName)}" value="{Html.E(tokens.RequestToken)}">
                <input type="hidden" name="returnUrl" value="{Html.E(SafeReturnUrl(returnUrl))}">
                <label>User name <input name="userName" autocomplete="username" autofocus required></label>
                <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
                <button type="submit" class="primary">Sign in</button>
              </form>
            </main>
            """;
        return Html.Page(context, "Sign in", string.Empty, body);
    }
}
