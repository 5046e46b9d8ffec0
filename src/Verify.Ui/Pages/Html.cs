using System.Security.Claims;
using System.Text.Encodings.Web;
using Digitise.Storage;
using Microsoft.AspNetCore.Antiforgery;

namespace Digitise.Verify.Ui.Pages;

/// <summary>The page shell: header with the role's links, the sign-out form, the antiforgery token for scripts.</summary>
internal static class Html
{
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? string.Empty);

    public static string Page(HttpContext context, string title, string active, string body, string? script = null, string bodyClass = "")
    {
        IAntiforgery antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        AntiforgeryTokenSet tokens = antiforgery.GetAndStoreTokens(context);
        ClaimsPrincipal user = context.User;
        string nav = string.Empty;
        if (user.Identity?.IsAuthenticated == true)
        {
            var links = new List<string>();
            if (user.IsInRole(Roles.Clerk) || user.IsInRole(Roles.Admin))
            {
                links.Add(Link("/verify", "Verify", active));
            }

            if (user.IsInRole(Roles.Manager) || user.IsInRole(Roles.Admin))
            {
                links.Add(Link("/dashboard", "Dashboard", active));
            }

            if (user.IsInRole(Roles.Operator) || user.IsInRole(Roles.Manager) || user.IsInRole(Roles.Admin))
            {
                links.Add(Link("/operator", "Batches", active));
            }

            nav = $"""
                <nav class="nav">{string.Concat(links)}</nav>
                <div class="who"><span class="user" data-testid="user">{E(user.Identity.Name)}</span><span class="role">{E(user.FindFirstValue(ClaimTypes.Role))}</span>
                <form method="post" action="/signout" class="inline"><input type="hidden" name="{E(tokens.FormFieldName)}" value="{E(tokens.RequestToken)}"><button class="link" type="submit">Sign out</button></form>
                <form method="post" action="/signout/everywhere" class="inline"><input type="hidden" name="{E(tokens.FormFieldName)}" value="{E(tokens.RequestToken)}"><button class="link" type="submit" title="End every session of this account, on every device">everywhere</button></form></div>
                """;
        }

        string scriptTag = script is null ? string.Empty : $"<script src=\"/assets/{script}\" defer></script>";
        return $"""
            <!doctype html>
            <html lang="en-GB">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="csrf-token" content="{E(tokens.RequestToken)}">
            <title>{E(title)} · Digitise</title>
            <link rel="stylesheet" href="/assets/app.css">
            {scriptTag}
            </head>
            <body class="{bodyClass}">
            <header class="top"><a class="brand" href="/"><span class="logo">D</span>Digitise <small>Records verification</small></a>{nav}</header>
            {body}
            </body>
            </html>
            """;
    }

    public static string Forbidden(HttpContext context) => Page(context, "Not allowed", string.Empty, """
        <main class="narrow"><div class="card"><h1 data-testid="forbidden">403 — not allowed</h1>
        <p>Your role does not give access to this page. If you need it, ask an administrator.</p><p><a href="/">Back to your start page</a></p></div></main>
        """);

    private static string Link(string href, string text, string active) =>
        $"<a href=\"{href}\"{(string.Equals(href, active, StringComparison.Ordinal) ? " class=\"active\"" : string.Empty)}>{text}</a>";
}
