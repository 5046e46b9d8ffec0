using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Serialization;
using Digitise.Hosting;
using Digitise.Storage;
using Digitise.Verify.Ui.Pages;
using Microsoft.AspNetCore.Antiforgery;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.FileProviders;

namespace Digitise.Verify.Ui.Hosting;

/// <summary>Authorization policies: each page and API area needs one.</summary>
public static class Policies
{
    public const string Clerk = "clerk";
    public const string Manager = "manager";
    public const string Operator = "operator";
    public const string Admin = "admin";
}

/// <summary>Rate-limiter policies (ASP.NET Core's rate limiter).</summary>
public static class RateLimits
{
    /// <summary>POST /signin, per client address.</summary>
    public const string SignIn = "signin";

    /// <summary>Index searches, per signed-in user.</summary>
    public const string Search = "search";
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

        var dashboard = new DashboardOptions();
        try
        {
            builder.Configuration.GetSection(DashboardOptions.Section).Bind(dashboard);
        }
        catch (InvalidOperationException ex)
        {
            // "Failed to convert configuration value 'x' at 'Dashboard:TurnaroundTargetHours' to type 'System.Double'."
            throw new ConfigurationException(DashboardOptions.Section, null, "has a value that is not a number: " + ex.Message, ex);
        }

        dashboard.Validate();
        builder.Services.AddSingleton(dashboard);

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

        // A provider's verification store also keeps sessions, the key ring and lockouts (issue 10's security stores).
        builder.Services.AddSingleton(sp => (ISecurityStore)sp.GetRequiredService<IVerificationStore>());
        builder.Services.AddSingleton(sp => (IKeyRingStore)sp.GetRequiredService<IVerificationStore>());
        builder.Services.AddSingleton<UserPasswords>();
        builder.Services.AddSingleton<VerificationPolicy>();
    }

    /// <summary>Chooses the providers (a bad --db fails here, by name) and migrates once, so the pipeline and the app agree on the schema.</summary>
    public static Task MigrateDigitiseStoresAsync(this WebApplication app, CancellationToken cancellationToken) =>
        app.Services.GetRequiredService<DigitiseStorage>().MigrateAsync(cancellationToken);

    public static void AddVerifyAuthentication(this WebApplicationBuilder builder)
    {
        VerifyOptions verifyOptions = GetOptions(builder);
        AddKeyRing(builder, verifyOptions);
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<VerifyOptions>((cookie, verify) =>
            {
                cookie.Cookie.Name = "digitise.session";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;

                // Idle timeout: the session cookie slides while the user works and lapses after this long without a request.
                // The database has the last word (DatabaseSessions): idle timeout and absolute lifetime there too.
                cookie.ExpireTimeSpan = verify.IdleTimeout;
                cookie.SlidingExpiration = true;
                cookie.LoginPath = "/signin";
                cookie.Events.OnValidatePrincipal = DatabaseSessions.ValidateAsync;
                cookie.Events.OnRedirectToLogin = context =>
                {
                    if (IsApi(context.Request))
                    {
                        return WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Sign in first.");
                    }

                    // Relative: the Host header is never reflected into a redirect.
                    context.Response.Redirect(Relative(context.RedirectUri));
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
            .AddPolicy(Policies.Operator, p => p.RequireRole(Roles.Operator, Roles.Manager, Roles.Admin))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin));
        builder.Services.AddAntiforgery(options =>
        {
            options.HeaderName = AntiforgeryHeader;
            options.Cookie.Name = "digitise.af";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        AddRateLimits(builder);
    }

    /// <summary>
    /// The data-protection key ring belongs to the deployment: in its database (the default; every instance on that database
    /// shares it) or in a configured folder only the service account can read. Never the account-wide default folder, which
    /// every instance run by the same account would share whatever database it serves.
    /// </summary>
    private static void AddKeyRing(WebApplicationBuilder builder, VerifyOptions options)
    {
        IDataProtectionBuilder protection = builder.Services.AddDataProtection().SetApplicationName("Digitise.Verify");
        if (string.IsNullOrWhiteSpace(options.KeyFolder))
        {
            builder.Services.AddOptions<KeyManagementOptions>().Configure<IKeyRingStore>((keys, store) => keys.XmlRepository = new DatabaseXmlRepository(store));
            return;
        }

        string folder = Path.GetFullPath(options.KeyFolder);
        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(folder) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0)
        {
            throw new InvalidOperationException($"Verify:KeyFolder '{folder}' must be readable only by the service account: chmod 700 it.");
        }

        protection.PersistKeysToFileSystem(new DirectoryInfo(folder));
    }

    /// <summary>Sign-in per client address, search per user (429 with Retry-After beyond).</summary>
    private static void AddRateLimits(WebApplicationBuilder builder)
    {
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(RateLimits.SignIn, http =>
            {
                VerifyOptions o = http.RequestServices.GetRequiredService<VerifyOptions>();
                return RateLimitPartition.GetSlidingWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = o.SignInsPerAddressPerMinute, Window = TimeSpan.FromMinutes(1), SegmentsPerWindow = 6, QueueLimit = 0, AutoReplenishment = true,
                });
            });
            limiter.AddPolicy(RateLimits.Search, http =>
            {
                VerifyOptions o = http.RequestServices.GetRequiredService<VerifyOptions>();
                return RateLimitPartition.GetTokenBucketLimiter((http.User.Identity?.Name ?? string.Empty).ToUpperInvariant(), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = o.SearchBurst, TokensPerPeriod = o.SearchesPerMinute, ReplenishmentPeriod = TimeSpan.FromMinutes(1), QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                HttpContext http = context.HttpContext;
                http.Response.Headers.RetryAfter = "60";
                if (http.User.Identity?.IsAuthenticated == true && http.User.Identity.Name is { } name)
                {
                    await http.RequestServices.GetRequiredService<IVerificationStore>()
                        .AppendAuditAsync(name, "throttled", null, null, http.Request.Path.Value ?? string.Empty, cancellationToken);
                }

                if (IsApi(http.Request))
                {
                    await WriteProblemAsync(http, StatusCodes.Status429TooManyRequests, "Too many requests: wait a minute.");
                    return;
                }

                http.Response.ContentType = "text/html; charset=utf-8";
                await http.Response.WriteAsync(Html.Page(http, "Too many attempts", string.Empty,
                    "<main class=\"narrow\"><div class=\"card\"><h1 data-testid=\"throttled\">Too many attempts</h1><p>Wait a minute, then try again.</p></div></main>"),
                    cancellationToken);
            };
        });
    }

    /// <summary>The path and query of a redirect target, dropping any scheme and host taken from the request.</summary>
    internal static string Relative(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out Uri? absolute) && absolute.Scheme is "http" or "https" ? absolute.PathAndQuery : uri;

    public static void AddVerifyWeb(this WebApplicationBuilder builder)
    {
        VerifyOptions options = GetOptions(builder);

        // Request bodies are small here (forms and JSON decisions): refuse big ones before they are read.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        builder.Services.Configure<FormOptions>(form =>
        {
            form.MultipartBodyLengthLimit = options.MaxRequestBodyBytes;
            form.ValueLengthLimit = 16 * 1024;
            form.ValueCountLimit = 64;
            form.KeyLengthLimit = 256;
        });

        // Behind a TLS-terminating proxy: believe its X-Forwarded-For/-Proto only when it is configured, so the session
        // cookie gets Secure (SameAsRequest) and per-address limits see the real client.
        if (options.KnownProxies.Length > 0 || options.KnownNetworks.Length > 0)
        {
            builder.Services.Configure<ForwardedHeadersOptions>(forwarded =>
            {
                forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                forwarded.ForwardLimit = 1;
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
                foreach (string proxy in options.KnownProxies)
                {
                    forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
                }

                foreach (string network in options.KnownNetworks)
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
                }
            });
        }

        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower)));
    }

    public static void UseVerifyPipeline(this WebApplication app)
    {
        VerifyOptions options = app.Services.GetRequiredService<VerifyOptions>();
        if (options.KnownProxies.Length > 0 || options.KnownNetworks.Length > 0)
        {
            app.UseForwardedHeaders();
        }

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
        app.UseRateLimiter();
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
