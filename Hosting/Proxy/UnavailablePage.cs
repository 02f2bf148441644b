using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace AddressBook.Hosting.Proxy;

/// <summary>
/// What a browser navigating to an endpoint is shown when no replica can answer, instead of problem details: a
/// page of its own, with no script and nothing to load, since there is no service to load it from.
/// </summary>
internal static class UnavailablePage
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;line-height:1.5;max-width:36rem;margin:4rem auto;padding:0 1rem}"
        + ".detail{color:GrayText;font-size:.875rem}";

    // Its one inline style is allowed by hash, so the policy still forbids every script and every other style.
    private static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly MediaTypeHeaderValue Html = new("text/html");
    private static readonly MediaTypeHeaderValue[] Json = [new("application/problem+json"), new("application/json")];

    /// <summary>
    /// Whether the client ranks HTML above JSON, as a browser navigating does (<c>text/html,…,*/*;q=0.8</c>). API
    /// clients ask for JSON, for anything (<c>*/*</c>) or for nothing in particular, and keep their problem details.
    /// </summary>
    public static bool IsPreferredBy(string? accept)
    {
        if (accept is null || !MediaTypeHeaderValue.TryParseList([accept], out var ranges))
        {
            return false;
        }

        var html = QualityOf(Html, ranges);
        return html > 0 && html > Json.Max(type => QualityOf(type, ranges));
    }

    /// <summary>The header lines the page goes with, besides its length: what it is, and that it may not run or load anything.</summary>
    public static readonly string Headers =
        "Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
        + $"Content-Security-Policy: {ContentSecurityPolicy}\r\nX-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nReferrer-Policy: no-referrer\r\n";

    public static string Render(int status, string detail)
    {
        var unavailable = status == StatusCodes.Status503ServiceUnavailable;
        var html = $"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <title>Address book unavailable</title>
            <style>{Style}</style>
            </head>
            <body>
            <main>
            <h1>The address book is unavailable</h1>
            <p>{(unavailable ? "It is not running right now, or it is restarting." : "It failed while answering.")} Please try again in a moment.</p>
            <p><a href="">Try again</a></p>
            <p class="detail">{WebUtility.HtmlEncode(detail)} ({status})</p>
            </main>
            </body>
            </html>
            """;

        return html;
    }

    // The most specific range that matches the type decides its quality (RFC 9110, 12.5.1).
    private static double QualityOf(MediaTypeHeaderValue type, IList<MediaTypeHeaderValue> ranges) =>
        ranges.Where(type.IsSubsetOf)
            .OrderByDescending(range => range.MatchesAllTypes ? 0 : range.MatchesAllSubTypes ? 1 : 2)
            .Select(range => range.Quality ?? 1)
            .FirstOrDefault();
}
