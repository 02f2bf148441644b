extern alias Api;

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
    public async Task A_typo_finds_the_contact_holding_the_closest_known_word_and_counts_it()
    {
        var word = ContactsApi.UniqueWord();
        // Digits end a word: the one known is the name, which the contact's text then holds as a substring.
        var id = await CreateAsync(new { firstName = "Ada", lastName = Capitalized(word) + "7" });
        Assert.True(await IsKnownAsync(word));
        Assert.False(await IsKnownAsync(word + "7"));

        var other = await CreateAsync(new { firstName = "Grace", company = $"{Capitalized(word)} Inc." });

        var page = await ListAsync($"limit=1&q={ContactsApi.Typo(word)}");
        Assert.Equal([id], ContactsApi.Ids(page));
        Assert.Equal(2, page.GetProperty("total").GetProperty("value").GetInt64());
        var next = await ListAsync($"limit=1&q={ContactsApi.Typo(word)}&cursor={Uri.EscapeDataString(page.GetProperty("nextCursor").GetString()!)}");
        Assert.Equal([other], ContactsApi.Ids(next));
        Assert.Equal([id], await ContactsApi.ListIdsAsync(Api, $"q={Uri.EscapeDataString($"ada {ContactsApi.Typo(word)}")}"));
        Assert.Equal([other], await ContactsApi.ListIdsAsync(Api, $"q={Uri.EscapeDataString($"grace {ContactsApi.Typo(word)}")}"));
        Assert.Empty(await ContactsApi.ListIdsAsync(Api, $"q={Uri.EscapeDataString($"hopper {ContactsApi.Typo(word)}")}"));
    }

    [Fact]
    public async Task A_word_the_planner_expects_in_thousands_of_contacts_gives_its_estimate_rather_than_a_capped_count()
    {
        var word = ContactsApi.UniqueWord();
        await Database.ExecuteAsync(fixture.ConnectionString, $"""
            INSERT INTO "People" ("firstName", "lastName", "createdAt", "updatedAt")
            SELECT 'Many', '{Capitalized(word)}' || i, now(), now() FROM generate_series(1, 4000) AS i;
            ANALYZE "PeopleSearch";
            """);

        var page = await ListAsync($"limit=1&q={word}");
        Assert.Single(ContactsApi.Ids(page));
        Assert.False(page.GetProperty("total").GetProperty("exact").GetBoolean());
        // A count stops at 1,000; the planner's estimate is of all 4,000.
        Assert.True(page.GetProperty("total").GetProperty("value").GetInt64() > Api::AddressBook.Api.Contacts.ContactListing.EstimatedPast, page.GetProperty("total").ToString());
    }

    [Fact]
    public async Task A_typo_matching_more_contacts_than_are_counted_gives_an_estimate()
    {
        var word = ContactsApi.UniqueWord();
        await Database.ExecuteAsync(fixture.ConnectionString, $"""
            INSERT INTO "People" ("firstName", "lastName", "createdAt", "updatedAt")
            SELECT 'Many', '{Capitalized(word)}' || i, now(), now() FROM generate_series(1, 1100) AS i;
            ANALYZE "PeopleSearch";
            """);

        var page = await ListAsync($"limit=1&q={ContactsApi.Typo(word)}");
        Assert.Single(ContactsApi.Ids(page));
        Assert.False(page.GetProperty("total").GetProperty("exact").GetBoolean());
        Assert.True(page.GetProperty("total").GetProperty("value").GetInt64() >= 1000, page.GetProperty("total").ToString());
    }

    [Fact]
    public async Task Words_a_contact_gains_by_an_update_are_found_by_a_typo()
    {
        var company = ContactsApi.UniqueWord();
        var tag = ContactsApi.UniqueWord();
        var id = await CreateAsync(new { firstName = "Grace", lastName = "Hopper" });
        Assert.Empty(await ContactsApi.ListIdsAsync(Api, $"q={ContactsApi.Typo(company)}"));

        using var updated = await Api.PutAsJsonAsync($"/api/contacts/{id}", new { firstName = "Grace", lastName = "Hopper", company = $"{company} Labs", tags = new[] { tag } });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);

        Assert.Equal([id], await ContactsApi.ListIdsAsync(Api, $"q={ContactsApi.Typo(company)}"));
        Assert.Equal([id], await ContactsApi.ListIdsAsync(Api, $"q={ContactsApi.Typo(tag)}"));
    }

    [Fact]
    public async Task A_writer_with_rights_on_the_contacts_only_adds_its_words_too()
    {
        // The tutorial's app inserts rows of its own, perhaps as a role that knows nothing of the words table.
        var word = ContactsApi.UniqueWord();
        var role = $"tutorial_{ContactsApi.UniqueWord()}";
        await Database.ExecuteAsync(fixture.ConnectionString, $"""
            CREATE ROLE {role};
            GRANT SELECT, INSERT ON "People" TO {role};
            GRANT USAGE ON SEQUENCE "People_id_seq" TO {role};
            SET ROLE {role};
            INSERT INTO "People" ("firstName", "lastName", "createdAt", "updatedAt") VALUES ('{Capitalized(word)}', 'Doe', now(), now());
            RESET ROLE;
            DROP OWNED BY {role};
            DROP ROLE {role};
            """);

        Assert.True(await IsKnownAsync(word));
        Assert.Single(await ContactsApi.ListIdsAsync(Api, $"q={ContactsApi.Typo(word)}"));
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

    [Fact]
    public async Task The_planner_keeps_a_histogram_of_the_search_text_fine_enough_to_see_common_words()
    {
        var target = await Database.ScalarAsync<int>(fixture.ConnectionString, """
            SELECT attstattarget::int FROM pg_attribute WHERE attrelid = '"PeopleSearch"'::regclass AND attname = 'search'
            """);
        Assert.True(target >= 500, $"statistics target {target}");
    }

    private Task<int> CreateAsync(object contact) => ContactsApi.CreateAsync(Api, contact);

    private static string Capitalized(string word) => char.ToUpperInvariant(word[0]) + word[1..];

    private async Task<bool> IsKnownAsync(string word) =>
        await Database.ScalarAsync<bool>(fixture.ConnectionString, """SELECT EXISTS (SELECT FROM "SearchWords" WHERE word = $1)""", word);

    private async Task<JsonElement> ListAsync(string query) => await Api.GetFromJsonAsync<JsonElement>($"/api/contacts?{query}");

}
