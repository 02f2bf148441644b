using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AddressBook.Tests.Infrastructure;

public sealed record CreatedContact(int Id, EntityTagHeaderValue ETag);

public static class ContactsApi
{
    public static async Task<CreatedContact> CreateAsync(HttpClient api, string firstName, string? lastName)
    {
        using var response = await api.PostAsJsonAsync("/api/contacts", new { firstName, lastName });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        return new CreatedContact(id, response.Headers.ETag ?? throw new InvalidOperationException("A created contact came without an ETag."));
    }
}

public static partial class PageAssets
{
    /// <summary>The stylesheet and script the page refers to, as absolute paths.</summary>
    public static async Task<IReadOnlyList<string>> UrlsAsync(HttpClient client)
    {
        var html = await client.GetStringAsync("/");
        return [.. AssetReference().Matches(html).Select(m => "/" + m.Groups["path"].Value.TrimStart('/'))];
    }

    [GeneratedRegex(@"(?:href|src)=""(?<path>[^"":]+\.(?:css|js))""")]
    private static partial Regex AssetReference();
}
