using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.AspNetCore.StaticAssets.Infrastructure;
using Microsoft.Net.Http.Headers;

namespace AddressBook.Api.Page;

/// <summary>
/// The address book's web page. Its stylesheet and script are static assets, fingerprinted, precompressed and given
/// strong ETags at build time by MapStaticAssets, and cached for a year under their hashed names. The page itself is
/// served at <c>/</c> from a template whose asset references are filled in with those hashed names, so a new build is
/// picked up on the next load while the assets stay cached; it is revalidated on each load with its ETag.
/// </summary>
public static partial class ContactsPage
{
    private const string TemplateResource = "AddressBook.Api.index.html";

    /// <summary>
    /// Run from build output, as the app host runs it, the compressed assets are still in obj/: the build's runtime
    /// manifest says where, in every environment, not only Development. Published output has them in wwwroot.
    /// </summary>
    public static WebApplicationBuilder AddContactsPage(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseStaticWebAssets();
        // A build's manifest would also switch on MapStaticAssets' hot-reload handler: no-cache on every asset, and
        // uncompressed answers under a Content-Encoding header when a file's timestamp differs from the manifest's.
        // Assets change only with a build here, so they are served as the manifest describes.
        builder.Configuration["ReloadStaticAssetsAtRuntime"] ??= "false";
        return builder;
    }

    public static IEndpointConventionBuilder MapContactsPage(this WebApplication app)
    {
        app.MapStaticAssets();
        var page = Render(app);
        return app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], page.Serve).ExcludeFromDescription();
    }

    private static RenderedPage Render(WebApplication app)
    {
        var hashedNames = StaticAssetsEndpointDataSourceHelper.ResolveStaticAssetDescriptors(app, manifestPath: null)
            .Where(asset => asset.Selectors.Count == 0 && asset.Properties.Any(p => p.Name == "fingerprint"))
            .Select(asset => (Label: LabelOf(asset), asset.Route))
            .Where(asset => asset.Label is not null)
            .ToDictionary(asset => asset.Label!, asset => asset.Route, StringComparer.Ordinal);

        using var template = typeof(ContactsPage).Assembly.GetManifestResourceStream(TemplateResource)
            ?? throw new InvalidOperationException($"The page template {TemplateResource} is not embedded in the assembly.");
        var html = AssetReference().Replace(new StreamReader(template).ReadToEnd(), match =>
            hashedNames.TryGetValue(match.Groups["name"].Value, out var route)
                ? $"{match.Groups["attribute"].Value}=\"{route}\""
                : throw new InvalidOperationException($"The page refers to '{match.Groups["name"].Value}', which is not a static asset."));
        return new RenderedPage(Encoding.UTF8.GetBytes(html));
    }

    private static string? LabelOf(StaticAssetDescriptor asset) => asset.Properties.FirstOrDefault(p => p.Name == "label")?.Value;

    [GeneratedRegex(@"(?<attribute>href|src)=""(?<name>[A-Za-z0-9_-]+\.(css|js))""")]
    private static partial Regex AssetReference();

    private sealed class RenderedPage
    {
        private readonly Lazy<Representation[]> _representations;

        public RenderedPage(byte[] html)
        {
            // Best first: the first one the client accepts is served. Compressed at their smallest on the first request
            // rather than at start, which every replica's start (and health) would otherwise wait for.
            _representations = new(() =>
            [
                Representation.Of("br", Compress(html, stream => new BrotliStream(stream, CompressionLevel.SmallestSize))),
                Representation.Of("gzip", Compress(html, stream => new GZipStream(stream, CompressionLevel.SmallestSize))),
                Representation.Of(null, html),
            ]);
        }

        public Task Serve(HttpContext context)
        {
            var request = context.Request;
            var response = context.Response;
            var accepted = request.Headers.AcceptEncoding.ToString();
            var chosen = _representations.Value.First(r => r.Encoding is null || Accepts(accepted, r.Encoding));

            response.Headers.ContentType = "text/html; charset=utf-8";
            response.Headers.CacheControl = "no-cache";
            response.Headers.Vary = HeaderNames.AcceptEncoding;
            response.Headers.ETag = chosen.ETag;
            if (chosen.Encoding is not null)
            {
                response.Headers.ContentEncoding = chosen.Encoding;
            }

            if (EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var tags)
                && tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(chosen.ParsedETag, useStrongComparison: false)))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }

            response.ContentLength = chosen.Content.Length;
            return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(chosen.Content).AsTask();
        }

        private static bool Accepts(string acceptEncoding, string encoding) =>
            StringWithQualityHeaderValue.TryParseList(acceptEncoding.Split(','), out var values)
            && values.Any(v => v.Value.Equals(encoding, StringComparison.OrdinalIgnoreCase) && v.Quality is not 0);

        private static byte[] Compress(byte[] content, Func<Stream, Stream> compressor)
        {
            using var output = new MemoryStream();
            using (var compressing = compressor(output))
            {
                compressing.Write(content);
            }

            return output.ToArray();
        }
    }

    private sealed record Representation(string? Encoding, byte[] Content, string ETag, EntityTagHeaderValue ParsedETag)
    {
        public static Representation Of(string? encoding, byte[] content)
        {
            var etag = $"\"{Convert.ToBase64String(SHA256.HashData(content))}\"";
            return new Representation(encoding, content, etag, new EntityTagHeaderValue(etag));
        }
    }
}
