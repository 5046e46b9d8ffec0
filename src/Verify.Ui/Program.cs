using Digitise.Verify.Ui.Api;
using Digitise.Verify.Ui.Hosting;
using Digitise.Verify.Ui.Pages;

namespace Digitise.Verify.Ui;

/// <summary>The clerks', managers' and operators' web app: read this as the table of contents.</summary>
public static class VerifyApp
{
    /// <summary>Default address: loopback only.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public static async Task<int> Main(string[] args)
    {
        await using WebApplication app = await CreateAsync(args, configure: null, CancellationToken.None);
        await app.RunAsync();
        return 0;
    }

    /// <summary>Builds the app: opens (and migrates) the database, then wires services, middleware and endpoints.</summary>
    /// <param name="configure">Overrides on top of configuration (the CLI's --db, tests' settings).</param>
    public static async Task<WebApplication> CreateAsync(string[] args, Action<VerifyOptions>? configure, CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddVerifyConfiguration(configure);
        await builder.AddDigitiseStoresAsync(cancellationToken);
        builder.AddDocumentTypes();
        builder.AddVerifyAuthentication();
        builder.AddVerifyWeb();

        WebApplication app = builder.Build();
        app.UseVerifyPipeline();

        app.MapSignIn();
        app.MapPages();
        app.MapQueueApi();
        app.MapDocumentTypeApi();
        app.MapPatientsApi();
        app.MapDashboardApi();
        app.MapOperatorApi();
        app.MapOpenApi().RequireAuthorization(Policies.Admin);
        return app;
    }
}
