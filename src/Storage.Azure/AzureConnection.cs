using Azure;

namespace Digitise.Storage.Azure;

/// <summary>Recognises Azure Storage connection strings and turns low-level failures into messages that name the setting.</summary>
public static class AzureConnection
{
    /// <summary>True when <paramref name="value"/> looks like an Azure Storage connection string rather than a folder.</summary>
    public static bool IsConnectionString(string? value) =>
        value is not null
        && value.Contains('=', StringComparison.Ordinal)
        && (value.Contains("AccountName=", StringComparison.OrdinalIgnoreCase)
            || value.Contains("UseDevelopmentStorage=", StringComparison.OrdinalIgnoreCase)
            || value.Contains("BlobEndpoint=", StringComparison.OrdinalIgnoreCase)
            || value.Contains("QueueEndpoint=", StringComparison.OrdinalIgnoreCase)
            || value.Contains("SharedAccessSignature=", StringComparison.OrdinalIgnoreCase));

    internal static string Validate(string connectionString, string setting)
    {
        if (!IsConnectionString(connectionString))
        {
            throw new InvalidOperationException(
                $"{setting} is not an Azure Storage connection string (expected e.g. 'DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net').");
        }

        return connectionString;
    }

    internal static InvalidOperationException Unreachable(string service, Uri uri, string setting, RequestFailedException ex) =>
        new($"{service} at {uri.GetLeftPart(UriPartial.Authority)} refused the request ({ex.Status} {ex.ErrorCode}): check {setting}.", ex);
}
