using Xunit;

namespace Digitise.Testing;

/// <summary>
/// The real PostgreSQL and Azurite that <c>scripts/with-services</c> (and so <c>scripts/test</c>) start throwaway and
/// announce through environment variables. Tests marked <see cref="PostgresFactAttribute"/> or
/// <see cref="AzuriteFactAttribute"/> are skipped when the service is absent on a developer's machine (run them with
/// <c>scripts/with-services dotnet test ...</c>), and fail with this message when <c>CI=true</c>: CI never silently
/// skips them.
/// </summary>
internal static class TestServices
{
    public const string PostgresVariable = "DIGITISE_TEST_POSTGRES";
    public const string AzureVariable = "DIGITISE_TEST_AZURE";

    public static string? Postgres => Get(PostgresVariable);

    public static string? Azure => Get(AzureVariable);

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string RequirePostgres() => Postgres ?? throw Missing(PostgresVariable, "PostgreSQL");

    public static string RequireAzure() => Azure ?? throw Missing(AzureVariable, "Azurite");

    internal static string SkipReason(string variable, string service) =>
        $"{service} is not running ({variable} unset): run through scripts/with-services (scripts/test does).";

    private static string? Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static InvalidOperationException Missing(string variable, string service) =>
        new($"{SkipReason(variable, service)} CI=true never skips these tests.");
}

/// <summary>A test that needs the throwaway PostgreSQL (see <see cref="TestServices"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (TestServices.Postgres is null && !TestServices.InCi)
        {
            Skip = TestServices.SkipReason(TestServices.PostgresVariable, "PostgreSQL");
        }
    }
}

/// <summary>A test that needs the throwaway Azurite (see <see cref="TestServices"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class AzuriteFactAttribute : FactAttribute
{
    public AzuriteFactAttribute()
    {
        if (TestServices.Azure is null && !TestServices.InCi)
        {
            Skip = TestServices.SkipReason(TestServices.AzureVariable, "Azurite");
        }
    }
}
