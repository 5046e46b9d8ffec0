using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Digitise.Hosting;

/// <summary>
/// Digitise's settings, layered lowest precedence first: each options class's defaults, <c>digitise.json</c> in the working
/// folder (or <c>--config FILE</c>), environment variables <c>DIGITISE_&lt;Section&gt;__&lt;Key&gt;</c>, then the command line's
/// flags (e.g. <c>--workers</c> is <c>Ocr:Workers</c>). Built once per process by the composition root; every options class
/// is bound from it with <see cref="Bind{T}"/>, which also validates it.
/// </summary>
public sealed class DigitiseConfiguration
{
    public const string EnvironmentPrefix = "DIGITISE_";
    public const string DefaultFileName = "digitise.json";

    private DigitiseConfiguration(IConfiguration configuration) => Configuration = configuration;

    public IConfiguration Configuration { get; }

    /// <param name="configFile">--config; null for <c>./digitise.json</c> when present.</param>
    /// <param name="overrides">Command-line flags as configuration keys (<c>Ocr:Workers</c> = "2"); null values are left out.</param>
    /// <exception cref="ConfigurationException">--config names a missing file, or the JSON is malformed.</exception>
    public static DigitiseConfiguration Load(string? configFile, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        if (configFile is not null && !File.Exists(configFile))
        {
            throw new ConfigurationException("--config", configFile, "must name an existing JSON file");
        }

        string file = Path.GetFullPath(configFile ?? Path.Combine(Directory.GetCurrentDirectory(), DefaultFileName));
        var builder = new ConfigurationBuilder()
            .AddJsonFile(file, optional: true)
            .AddEnvironmentVariables(EnvironmentPrefix)
            .AddInMemoryCollection((overrides ?? []).Where(o => o.Value is not null));
        try
        {
            return new DigitiseConfiguration(builder.Build());
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            throw new ConfigurationException(configFile ?? DefaultFileName, file, "must be valid JSON: " + FirstLine(ex.InnerException?.Message ?? ex.Message), ex);
        }
    }

    /// <summary>A configuration of exactly these keys (tests, benchmarks).</summary>
    public static DigitiseConfiguration FromValues(IEnumerable<KeyValuePair<string, string?>> values) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

    /// <summary>
    /// Binds section <paramref name="section"/> onto a new <typeparamref name="T"/> (its defaults kept where nothing is set) and
    /// validates it. A list given in configuration replaces the default list instead of being appended to it (the binder's
    /// own behaviour, which would keep a default hospital-number pattern a site meant to replace).
    /// </summary>
    /// <param name="validate">The options class's own checks; any exception becomes a <see cref="ConfigurationException"/>.</param>
    /// <exception cref="ConfigurationException">A value does not convert or fails validation; the message names the setting.</exception>
    public T Bind<T>(string section, Action<T>? validate = null)
        where T : class, new()
    {
        IConfigurationSection config = Configuration.GetSection(section);
        var options = new T();
        try
        {
            config.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // "Failed to convert configuration value 'x' at 'Ocr:Workers' to type 'System.Int32'."
            string key = Between(ex.Message, " at '", "'") ?? section;
            throw new ConfigurationException(key, Configuration[key], "must be a " + FriendlyType(Between(ex.Message, "to type '", "'")), ex);
        }

        foreach (PropertyInfo property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            IConfigurationSection child = config.GetSection(property.Name);
            if (property.CanWrite && child.GetChildren().Any() && ElementType(property.PropertyType) is { } element)
            {
                Array replaced = (Array?)child.Get(element.MakeArrayType()) ?? Array.CreateInstance(element, 0);
                property.SetValue(options, replaced);
            }
        }

        try
        {
            validate?.Invoke(options);
        }
        catch (ConfigurationException)
        {
            throw;
        }
        catch (ArgumentException ex)
        {
            string setting = SettingIn(ex.Message, section) ?? $"{section}:{ex.ParamName}";
            throw new ConfigurationException(setting, Configuration[setting], "is invalid: " + FirstLine(ex.Message), ex);
        }
        catch (InvalidOperationException ex)
        {
            string setting = SettingIn(ex.Message, section) ?? section;
            throw new ConfigurationException(setting, Configuration[setting], "is invalid: " + FirstLine(ex.Message), ex);
        }

        return options;
    }

    private static Type? ElementType(Type type)
    {
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        return type.IsGenericType && type.GetGenericArguments() is [Type element] && type.IsAssignableFrom(element.MakeArrayType()) ? element : null;
    }

    private static string? SettingIn(string message, string section)
    {
        int start = message.IndexOf(section + ":", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        int end = start + section.Length + 1;
        while (end < message.Length && (char.IsLetterOrDigit(message[end]) || message[end] is ':' or '_'))
        {
            end++;
        }

        return message[start..end];
    }

    private static string? Between(string text, string before, string after)
    {
        int start = text.IndexOf(before, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += before.Length;
        int end = text.IndexOf(after, start, StringComparison.Ordinal);
        return end < 0 ? null : text[start..end];
    }

    private static string FriendlyType(string? clrType) => clrType switch
    {
        "System.Int32" or "System.Int64" => "whole number",
        "System.Double" or "System.Single" or "System.Decimal" => "number",
        "System.Boolean" => "true or false",
        null => "value of the right type",
        _ when clrType.StartsWith("Digitise.", StringComparison.Ordinal) => "known value (" + clrType[(clrType.LastIndexOf('.') + 1)..] + ")",
        _ => clrType,
    };

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Split(" (Parameter '", 2)[0].Trim();
}
