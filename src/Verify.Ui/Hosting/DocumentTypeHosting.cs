using Digitise.Data.Sqlite;
using Digitise.Domain;
using Digitise.Storage;

namespace Digitise.Verify.Ui.Hosting;

/// <summary>The document-type list (<c>DocumentTypes</c> in configuration, validated at start-up) and its store.</summary>
internal static class DocumentTypeHosting
{
    public static void AddDocumentTypes(this WebApplicationBuilder builder)
    {
        DocumentTypeOptions options = builder.Configuration.GetSection("DocumentTypes").Get<DocumentTypeOptions>() ?? new DocumentTypeOptions();
        options.Validate();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<IDocumentTypeStore>(sp => new SqliteDocumentTypeStore(Path.GetFullPath(sp.GetRequiredService<VerifyOptions>().DatabasePath)));
    }
}
