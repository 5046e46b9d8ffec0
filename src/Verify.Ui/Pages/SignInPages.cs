using System.Security.Claims;
using Digitise.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace Digitise.Verify.Ui.Pages;

/// <summary>Sign-in and sign-out (forms with antiforgery tokens).</summary>
internal static class SignInPages
{
    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/signin", (HttpContext context, string? returnUrl) => Results.Content(Form(context, returnUrl, null), "text/html; charset=utf-8"))
            .AllowAnonymous().ExcludeFromDescription();
        endpoints.MapPost("/signin", SignInAsync).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapPost("/signout", SignOutAsync).RequireAuthorization().ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> SignInAsync(
        HttpContext context,
        [FromForm] string? userName,
        [FromForm] string? password,
        [FromForm] string? returnUrl,
        UserPasswords passwords,
        IVerificationStore store,
        CancellationToken cancellationToken)
    {
        UserAccount? account = await passwords.VerifyAsync(userName?.Trim() ?? string.Empty, password ?? string.Empty, cancellationToken);
        if (account is null)
        {
            // The attempted name is recorded only when it is a real account; the password never is.
            if (!string.IsNullOrWhiteSpace(userName) && await store.FindUserAsync(userName.Trim(), cancellationToken) is { } known)
            {
                await store.AppendAuditAsync(known.UserName, "sign_in_failed", null, null, string.Empty, cancellationToken);
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Results.Content(Form(context, returnUrl, "The user name or password is not right."), "text/html; charset=utf-8", statusCode: 401);
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, account.UserName), new Claim(ClaimTypes.Role, account.Role)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IsPersistent = false });
        await store.AppendAuditAsync(account.UserName, "sign_in", null, null, account.Role, cancellationToken);
        return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, IVerificationStore store, CancellationToken cancellationToken)
    {
        if (context.User.Identity?.Name is { } name)
        {
            await store.AppendAuditAsync(name, "sign_out", null, null, string.Empty, cancellationToken);
        }

        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.Redirect("/signin");
    }

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

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
                <input type="hidden" name="returnUrl" value="{Html.E(IsLocal(returnUrl) ? returnUrl : "/")}">
                <label>User name <input name="userName" autocomplete="username" autofocus required></label>
                <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
                <button type="submit" class="primary">Sign in</button>
              </form>
            </main>
            """;
        return Html.Page(context, "Sign in", string.Empty, body);
    }
}
