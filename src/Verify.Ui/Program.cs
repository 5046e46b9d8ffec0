using Digitise.Verify.Ui.Api;
using Digitise.Verify.Ui.Hosting;
using Digitise.Verify.Ui.Pages;

namespace Digitise.Verify.Ui;

/// <summary>The clerks', managers' and operators' web app: read this as the table of contents.</summary>
public static class VerifyApp
{
    /// <summary>Default address: loopback only.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>Builds the app: wires services, middleware and endpoints, then migrates the database.</summary>
    /// <param name="configure">Overrides on top of configuration (the CLI's --db, tests' settings).</param>
    /// <param name="addStorageProviders">The host's store and blob providers (e.g. SQLite and a local folder); the database
    /// location picks one.</param>
    /// <param name="configuration">The host's settings, bound once (digitise.json or --config, environment, flags); null to
    /// read ./digitise.json and the environment here.</param>
    public static async Task<WebApplication> CreateAsync(
        string[] args, Action<VerifyOptions>? configure, Action<IServiceCollection> addStorageProviders, IConfiguration? configuration, CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddVerifyConfiguration(configure, configuration);
        builder.AddDigitiseStores(addStorageProviders);
        builder.AddDocumentTypes();
        builder.AddVerifyAuthentication();
        builder.AddVerifyWeb();

        WebApplication app = builder.Build();
        await app.MigrateDigitiseStoresAsync(cancellationToken);
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
