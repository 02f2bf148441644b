using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AddressBook.Tests.Infrastructure;

public sealed record CreatedContact(int Id, EntityTagHeaderValue ETag);

public static class ContactsApi
{
    /// <summary>Creates a contact from any JSON-shaped object and answers its id.</summary>
    public static async Task<int> CreateAsync(HttpClient api, object contact)
    {
        using var response = await api.PostAsJsonAsync("/api/contacts", contact);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    /// <summary>The ids of a listing's page, <paramref name="query"/> being its query string.</summary>
    public static async Task<List<int>> ListIdsAsync(HttpClient api, string query) => Ids(await api.GetFromJsonAsync<JsonElement>($"/api/contacts?{query}"));

    public static List<int> Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetInt32())];

    /// <summary>A word no other test's contact holds, so a search or filter on it sees only this test's contacts.</summary>
    public static string UniqueTag() => "t" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>
    /// Like <see cref="UniqueTag"/>, in letters only (a to p), since digits end a word in the table typos are looked up in.
    /// </summary>
    public static string UniqueWord() => "w" + string.Concat(Guid.NewGuid().ToString("N")[..10].Select(digit => (char)('a' + Convert.ToInt32(digit.ToString(), 16))));

    /// <summary>A word misspelt as people do, one letter doubled: close to it for pg_trgm, yet no part of it.</summary>
    public static string Typo(string word) => word[..5] + word[4] + word[5..];

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
