using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Serialization;
using Digitise.Hosting;
using Digitise.Storage;
using Digitise.Verify.Ui.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.FileProviders;

namespace Digitise.Verify.Ui.Hosting;

/// <summary>Authorization policies: each page and API area needs one.</summary>
public static class Policies
{
    public const string Clerk = "clerk";
    public const string Manager = "manager";
    public const string Operator = "operator";
}

/// <summary>The <c>Add…</c>/<c>Use…</c> steps of <see cref="VerifyApp"/>.</summary>
internal static class VerifyHostingExtensions
{
    public const string AntiforgeryHeader = "X-CSRF-TOKEN";

    public static void AddVerifyConfiguration(this WebApplicationBuilder builder, Action<VerifyOptions>? configure, IConfiguration? configuration)
    {
        if (configuration is not null)
        {
            builder.Configuration.AddConfiguration(configuration);
        }
        else
        {
            builder.Configuration.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "digitise.json"), optional: true);
            builder.Configuration.AddEnvironmentVariables("DIGITISE_");
        }

        var options = new VerifyOptions();
        builder.Configuration.GetSection(VerifyOptions.Section).Bind(options);
        if (string.IsNullOrWhiteSpace(options.DatabasePath) && builder.Configuration["DB"] is { Length: > 0 } db)
        {
            options.DatabasePath = db;
        }

        configure?.Invoke(options);
        options.Validate();
        builder.Services.AddSingleton(options);

        // Request paths carry document ids only, never patient data; still, keep framework chatter to warnings.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
    }

    /// <summary>
    /// The stores, from the providers the host registered (<paramref name="addStorageProviders"/>: this app names none, so it
    /// has no database dependency of its own), chosen by the shape of <see cref="VerifyOptions.DatabasePath"/> and
    /// <see cref="VerifyOptions.Blobs"/>; the database is migrated by <see cref="MigrateDigitiseStoresAsync"/> before serving.
    /// </summary>
    public static void AddDigitiseStores(this WebApplicationBuilder builder, Action<IServiceCollection> addStorageProviders)
    {
        ArgumentNullException.ThrowIfNull(addStorageProviders);
        VerifyOptions options = GetOptions(builder);
        addStorageProviders(builder.Services);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddDigitiseStorage(new StorageLocations(options.DatabasePath, options.Blobs));
        builder.Services.AddSingleton<UserPasswords>();
        builder.Services.AddSingleton<VerificationPolicy>();
    }

    /// <summary>Chooses the providers (a bad --db fails here, by name) and migrates once, so the pipeline and the app agree on the schema.</summary>
    public static Task MigrateDigitiseStoresAsync(this WebApplication app, CancellationToken cancellationToken) =>
        app.Services.GetRequiredService<DigitiseStorage>().MigrateAsync(cancellationToken);

    public static void AddVerifyAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<VerifyOptions>((cookie, verify) =>
            {
                cookie.Cookie.Name = "digitise.session";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;

                // Idle timeout: the session cookie slides while the user works and lapses after this long without a request.
                cookie.ExpireTimeSpan = verify.IdleTimeout;
                cookie.SlidingExpiration = true;
                cookie.LoginPath = "/signin";
                cookie.Events.OnRedirectToLogin = context =>
                {
                    if (IsApi(context.Request))
                    {
                        return WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Sign in first.");
                    }

                    context.Response.Redirect(context.RedirectUri);
                    return Task.CompletedTask;
                };
                cookie.Events.OnRedirectToAccessDenied = context =>
                {
                    if (IsApi(context.Request))
                    {
                        return WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Your role does not allow this.");
                    }

                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    context.Response.ContentType = "text/html; charset=utf-8";
                    return context.Response.WriteAsync(Html.Forbidden(context.HttpContext), context.HttpContext.RequestAborted);
                };
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Clerk, p => p.RequireRole(Roles.Clerk, Roles.Admin))
            .AddPolicy(Policies.Manager, p => p.RequireRole(Roles.Manager, Roles.Admin))
            .AddPolicy(Policies.Operator, p => p.RequireRole(Roles.Operator, Roles.Manager, Roles.Admin));
        builder.Services.AddAntiforgery(options =>
        {
            options.HeaderName = AntiforgeryHeader;
            options.Cookie.Name = "digitise.af";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.HttpOnly = true;
        });
    }

    public static void AddVerifyWeb(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower)));
    }

    public static void UseVerifyPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(ServerTimingAndHeadersAsync);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new EmbeddedFileProvider(typeof(VerifyApp).Assembly, "Digitise.Verify.Ui.wwwroot"),
            RequestPath = "/assets",
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "public, max-age=300",
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
    }

    /// <summary>Validates the antiforgery header of API writes (JSON bodies are not covered by the form check).</summary>
    public static async ValueTask<object?> RequireAntiforgeryAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        HttpContext http = context.HttpContext;
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            IAntiforgery antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status400BadRequest,
                    title: "The antiforgery token is missing or invalid.",
                    detail: $"Send the token from GET /api/session in the {AntiforgeryHeader} header.");
            }
        }

        return await next(context);
    }

    public static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    private static VerifyOptions GetOptions(WebApplicationBuilder builder) =>
        (VerifyOptions)builder.Services.Single(d => d.ServiceType == typeof(VerifyOptions)).ImplementationInstance!;

    private static Task WriteProblemAsync(HttpContext context, int status, string title) =>
        TypedResults.Problem(statusCode: status, title: title).ExecuteAsync(context);

    /// <summary>Security headers on every response, no caching of anything that may show patient data, and the server's own time.</summary>
    private static Task ServerTimingAndHeadersAsync(HttpContext context, RequestDelegate next)
    {
        long started = Stopwatch.GetTimestamp();
        context.Response.OnStarting(() =>
        {
            IHeaderDictionary headers = context.Response.Headers;
            double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture, $"app;dur={ms:0.###}");
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'";
            if (!context.Request.Path.StartsWithSegments("/assets", StringComparison.Ordinal))
            {
                headers.CacheControl = "no-store";
            }

            return Task.CompletedTask;
        });
        return next(context);
    }
}

/// <summary>Extension so `Results&lt;…&gt;` handlers can share the filter.</summary>
internal static class EndpointGroups
{
    /// <summary>An /api group: JSON, 401/403 ProblemDetails, antiforgery on writes, one authorization policy.</summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder endpoints, string prefix, string policy, string tag) =>
        endpoints.MapGroup(prefix)
            .RequireAuthorization(policy)
            .AddEndpointFilter(VerifyHostingExtensions.RequireAntiforgeryAsync)
            .WithTags(tag);

    public static ProblemHttpResult Problem(int status, string title, string? detail = null) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
