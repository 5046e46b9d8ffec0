using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Digitise.VerifyBench;

/// <summary>One request's time: as the client saw it (send to body read), and the server's own <c>Server-Timing: app;dur=</c>.</summary>
internal readonly record struct Timing(double ClientMs, double ServerMs);

/// <summary>A response body with its timing.</summary>
internal sealed record Timed<T>(Timing Timing, T Value);

/// <summary>
/// A clerk's browser, over HTTP: signs in through the form (with its antiforgery token), takes the API token from the
/// clerk screen's <c>csrf-token</c> meta tag, and makes the calls <c>wwwroot/verify.js</c> makes, with its headers.
/// </summary>
internal sealed partial class ClerkClient : IDisposable
{
    private readonly HttpClient _http;
    private string _csrf = string.Empty;

    public ClerkClient(Uri baseAddress)
    {
        var handler = new SocketsHttpHandler
        {
            CookieContainer = new CookieContainer(),
            UseCookies = true,
            AllowAutoRedirect = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task SignInAsync(string userName, string password, CancellationToken cancellationToken)
    {
        string form = await _http.GetStringAsync(new Uri("/signin?returnUrl=%2Fverify", UriKind.Relative), cancellationToken);
        var fields = HiddenInput().Matches(form).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));
        if (!fields.Keys.Any(k => k != "returnUrl"))
        {
            throw new InvalidOperationException("The sign-in form has no antiforgery field.");
        }

        fields["userName"] = userName;
        fields["password"] = password;
        using var content = new FormUrlEncodedContent(fields);
        using HttpResponseMessage signedIn = await _http.PostAsync(new Uri("/signin", UriKind.Relative), content, cancellationToken);
        if (signedIn.StatusCode != HttpStatusCode.Redirect || signedIn.Headers.Location?.OriginalString != "/verify")
        {
            throw new InvalidOperationException($"Signing in as {userName} answered {(int)signedIn.StatusCode}, not a redirect to /verify.");
        }

        string screen = await _http.GetStringAsync(new Uri("/verify", UriKind.Relative), cancellationToken);
        Match meta = CsrfMeta().Match(screen);
        if (!meta.Success)
        {
            throw new InvalidOperationException("The clerk screen has no csrf-token meta tag.");
        }

        _csrf = WebUtility.HtmlDecode(meta.Groups[1].Value);
    }

    /// <summary><c>api('GET', '/api/queue/next')</c>: the leased document, or null (204) when the queue is empty.</summary>
    public async Task<Timed<JsonElement?>> NextAsync(CancellationToken cancellationToken)
    {
        using var request = ApiRequest(HttpMethod.Get, "/api/queue/next", body: null);
        (Timing timing, HttpResponseMessage response) = await SendAsync(request, cancellationToken);
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NoContent)
            {
                return new(timing, null);
            }

            return new(timing, await ReadJsonAsync(response, "GET /api/queue/next", cancellationToken));
        }
    }

    /// <summary><c>api('POST', `/api/documents/${id}/decision`, { action: 'file', patientId })</c>: the outcome ("recorded", ...).</summary>
    public async Task<Timed<string>> FileAsync(string documentId, string patientId, CancellationToken cancellationToken)
    {
        using var request = ApiRequest(HttpMethod.Post, $"/api/documents/{Uri.EscapeDataString(documentId)}/decision", new { action = "file", patientId });
        (Timing timing, HttpResponseMessage response) = await SendAsync(request, cancellationToken);
        using (response)
        {
            JsonElement body = await ReadJsonAsync(response, "POST decision", cancellationToken);
            return new(timing, body.GetProperty("outcome").GetString() ?? string.Empty);
        }
    }

    /// <summary>The page image the screen's <c>&lt;img src&gt;</c> loads once the document is shown.</summary>
    public async Task<Timing> PageImageAsync(string url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, UriKind.Relative));
        request.Headers.Accept.ParseAdd("image/avif,image/webp,image/svg+xml,image/*,*/*;q=0.8");
        (Timing timing, HttpResponseMessage response) = await SendAsync(request, cancellationToken);
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}.");
            }
        }

        return timing;
    }

    public void Dispose() => _http.Dispose();

    private HttpRequestMessage ApiRequest(HttpMethod method, string url, object? body)
    {
        var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Add("X-CSRF-TOKEN", _csrf);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    private async Task<(Timing, HttpResponseMessage)> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();

        // ResponseContentRead: the body is read before SendAsync returns, so the client time covers the whole response.
        HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        double client = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return (new Timing(client, ServerMilliseconds(response)), response);
    }

    private static double ServerMilliseconds(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("Server-Timing", out IEnumerable<string>? values))
        {
            foreach (string value in values)
            {
                Match match = ServerTimingDuration().Match(value);
                if (match.Success)
                {
                    return double.Parse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
                }
            }
        }

        throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered without a Server-Timing app;dur= header.");
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {text}");
        }

        using JsonDocument document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenInput();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]*)\">")]
    private static partial Regex CsrfMeta();

    [GeneratedRegex(@"\bapp;dur=([0-9.]+)")]
    private static partial Regex ServerTimingDuration();
}
