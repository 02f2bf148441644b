using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AddressBook.Hosting.Dashboard;

/// <summary>The dashboard's page, scripts and styles, embedded in this assembly (Dashboard/wwwroot), so the app host ships them with itself.</summary>
internal static class DashboardAssets
{
    private const string Prefix = "dashboard/";
    private static readonly Assembly Assembly = typeof(DashboardAssets).Assembly;
    private static readonly Dictionary<string, (byte[] Content, string ETag)> Files = Load();

    public static void MapDashboardAssets(this IEndpointRouteBuilder routes, DashboardListener listener)
    {
        // The page routes itself (#/traces, #/metrics...); every other path is a file or nothing.
        routes.MapGet("/", (HttpContext context) => Serve(context, "index.html")).WithMetadata(listener);
        routes.MapGet("/{**file}", (HttpContext context, string file) => Serve(context, file)).WithMetadata(listener);
    }

    public static string LoginPage(string? error) => $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Log in · AddressBook dashboard</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
          body { font-family: system-ui, sans-serif; background: #f4f5f7; color: #1f2328; display: grid; place-items: center; min-height: 100vh; margin: 0; }
          form { background: #fff; padding: 2rem 2.5rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; width: min(30rem, 90vw); }
          h1 { font-size: 1.25rem; margin-top: 0; } input { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; margin: .5rem 0 1rem; }
          button { padding: .5rem 1.25rem; font: inherit; background: #0b62d6; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
          .error { color: #b42318; } code { background: #eef; padding: 0 .25rem; }
        </style></head>
        <body><form method="get" action="/login" id="login">
          <h1>AddressBook dashboard</h1>
          <p>Open the login link the app host printed at start (<code>/login?t=…</code>), or paste its token:</p>
          {{(error is null ? "" : $"<p class=\"error\" role=\"alert\">{WebUtility.HtmlEncode(error)}</p>")}}
          <label for="t">Token</label><input id="t" name="t" autocomplete="off" required>
          <button type="submit">Log in</button>
        </form></body></html>
        """;

    private static IResult Serve(HttpContext context, string file)
    {
        if (!Files.TryGetValue(file, out var asset))
        {
            return Results.NotFound();
        }

        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        context.Response.Headers.ETag = asset.ETag;
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(asset.Content, ContentTypeOf(file));
    }

    private static string ContentTypeOf(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    private static Dictionary<string, (byte[], string)> Load()
    {
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var name in Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = Assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            files[name[Prefix.Length..]] = (content, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");
        }

        return files;
    }
}
