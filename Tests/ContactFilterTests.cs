using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests;

/// <summary>Listing contacts by tag and by favourite, alone and with a search, against real PostgreSQL.</summary>
[Collection(AppCollection.Name)]
public sealed class ContactFilterTests(AppFixture fixture)
{
    private HttpClient Api => fixture.Api;

    [Fact]
    public async Task A_tag_filter_lists_the_contacts_with_exactly_that_tag()
    {
        var tag = ContactsApi.UniqueTag();
        var tagged = await CreateAsync("Tagged", favorite: false, tag, "other");
        await CreateAsync("OtherCase", favorite: false, tag.ToUpperInvariant());
        await CreateAsync("Longer", favorite: false, tag + "x");
        await CreateAsync("Untagged", favorite: false);

        Assert.Equal([tagged], await ListAsync($"tag={tag}"));
        // Stored tags are trimmed, so the filter is too.
        Assert.Equal([tagged], await ListAsync($"tag={Uri.EscapeDataString($" {tag} ")}"));
        Assert.Empty(await ListAsync($"tag={tag[..^1]}"));
    }

    [Fact]
    public async Task A_favourite_filter_lists_favourites_or_the_others_and_combines_with_tag_and_search()
    {
        var tag = ContactsApi.UniqueTag();
        var favourite = await CreateAsync("Loved", favorite: true, tag);
        var other = await CreateAsync("Plain", favorite: false, tag);
        var favouriteElsewhere = await CreateAsync("Adored", favorite: true, tag + "x");

        Assert.Equal([favourite], await ListAsync($"tag={tag}&favorite=true"));
        Assert.Equal([other], await ListAsync($"tag={tag}&favorite=false"));
        Assert.Equal([favourite, other], await ListAsync($"tag={tag}&favorite="));
        Assert.Equal([favourite], await ListAsync($"tag={tag}&favorite=true&q=loved"));
        Assert.Empty(await ListAsync($"tag={tag}&favorite=true&q=plain"));
        Assert.Contains(favouriteElsewhere, await ListAsync($"favorite=true&q={tag}x"));
    }

    [Theory]
    [InlineData("tag", "tag=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("tag", "tag=a%01b")]
    [InlineData("favorite", "favorite=yes")]
    public async Task A_bad_filter_is_refused_by_name(string field, string query)
    {
        using var response = await Api.GetAsync($"/api/contacts?{query}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem}");
    }

    private Task<int> CreateAsync(string firstName, bool favorite, params string[] tags) =>
        ContactsApi.CreateAsync(Api, new { firstName, favorite, tags });

    private Task<List<int>> ListAsync(string query) => ContactsApi.ListIdsAsync(Api, $"limit=200&{query}");
}
