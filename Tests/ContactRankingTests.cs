using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests;

/// <summary>Searching contacts: typos, ranking, paging through ranked results, counts.</summary>
[Collection(AppCollection.Name)]
public sealed class ContactRankingTests(AppFixture fixture)
{
    private HttpClient Api => fixture.Api;

    [Fact]
    public async Task A_typo_still_finds_the_contact_and_the_exact_match_ranks_first()
    {
        var tag = ContactsApi.UniqueTag();
        var exact = await CreateAsync(new { firstName = "Katherine", lastName = "Johnson", tags = new[] { tag } });
        var near = await CreateAsync(new { firstName = "Kathryn", lastName = "Jonsen", tags = new[] { tag } });
        await CreateAsync(new { firstName = "Unrelated", lastName = "Person", tags = new[] { tag } });

        var page = await ListAsync($"q={Uri.EscapeDataString($"{tag} jonson")}");
        Assert.Equal([exact, near], ContactsApi.Ids(page));

        var ranked = await ListAsync($"q={Uri.EscapeDataString($"{tag} johnson")}");
        Assert.Equal(exact, ContactsApi.Ids(ranked)[0]);
    }

    [Fact]
    public async Task Ranked_pages_hold_every_match_once_in_a_stable_order()
    {
        var tag = ContactsApi.UniqueTag();
        var created = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await CreateAsync(new { firstName = $"Ranked{i}", lastName = i % 2 == 0 ? tag : null, tags = new[] { tag } }));
        }

        var seen = new List<int>();
        string? cursor = null;
        do
        {
            var query = $"limit=2&sort=relevance&q={tag}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await ListAsync(query);
            seen.AddRange(ContactsApi.Ids(page));
            Assert.Equal(cursor is null ? JsonValueKind.Object : JsonValueKind.Null, page.GetProperty("total").ValueKind);
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(created.Order(), seen.Order());
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task The_first_page_counts_the_matches()
    {
        var tag = ContactsApi.UniqueTag();
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync(new { firstName = $"Counted{i}", tags = new[] { tag } });
        }

        var page = await ListAsync($"limit=1&q={tag}");
        Assert.Equal(3, page.GetProperty("total").GetProperty("value").GetInt64());
        Assert.True(page.GetProperty("total").GetProperty("exact").GetBoolean());

        var all = await ListAsync("limit=1");
        Assert.True(all.GetProperty("total").GetProperty("value").GetInt64() >= 3);
    }

    [Theory]
    [InlineData("sort=relevance", "sort")]
    [InlineData("sort=best&q=x", "sort")]
    [InlineData("q=x&sort=oldest&cursor=AAAAAAAAAAAAAAAA", "cursor")]
    [InlineData("q=x&sort=relevance&cursor=AAAAAQ", "cursor")]
    public async Task A_sort_or_cursor_that_does_not_fit_is_refused(string query, string field)
    {
        using var response = await Api.GetAsync($"/api/contacts?{query}");
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task The_planner_is_told_a_typo_test_costs_more_than_a_like()
    {
        var costs = await Database.ScalarAsync<float[]>(fixture.ConnectionString, """
            SELECT array_agg(procost ORDER BY proname) FROM pg_proc
            WHERE oid IN ('public.word_similarity_op(text, text)'::regprocedure, 'public.word_similarity_commutator_op(text, text)'::regprocedure)
            """);
        var like = await Database.ScalarAsync<float>(fixture.ConnectionString, "SELECT procost FROM pg_proc WHERE oid = 'textlike(text, text)'::regprocedure");
        Assert.All(costs, cost => Assert.True(cost >= 10 * like, $"word similarity costs {cost}, LIKE {like}"));
    }

    private Task<int> CreateAsync(object contact) => ContactsApi.CreateAsync(Api, contact);

    private async Task<JsonElement> ListAsync(string query) => await Api.GetFromJsonAsync<JsonElement>($"/api/contacts?{query}");

}
