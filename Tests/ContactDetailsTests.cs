extern alias Api;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AddressBook.Tests.Infrastructure;
using Api::AddressBook.Api.Data;
using Npgsql;

namespace AddressBook.Tests;

/// <summary>Full contact records: every detail stored, tidied, validated and searched, against real PostgreSQL.</summary>
[Collection(AppCollection.Name)]
public sealed class ContactDetailsTests(AppFixture fixture)
{
    private HttpClient Api => fixture.Api;

    private static object FullContact(string tag) => new
    {
        firstName = "  Zoë  ",
        lastName = "Ångström",
        company = " Café Müller ",
        title = "Chief Engineer",
        birthday = "1984-02-29",
        notes = "Met at the conference.\nLikes tea.",
        favorite = true,
        tags = new[] { tag, " Friends ", "friends", "" + tag.ToUpperInvariant() },
        emails = new[] { new { label = (string?)"work", value = " zoe@example.org " }, new { label = (string?)null, value = "z@home.example" } },
        phones = new[] { new { label = "mobile", value = "+44 (20) 7946-0958" } },
        addresses = new[] { new { label = "home", street = "1 High St", locality = "London", region = (string?)null, postalCode = "N1 9GU", country = "UK" } },
    };

    [Fact]
    public async Task Every_detail_is_stored_tidied_and_read_back()
    {
        var tag = ContactsApi.UniqueTag();
        var id = await ContactsApi.CreateAsync(Api, FullContact(tag));

        var read = await Api.GetFromJsonAsync<JsonElement>($"/api/contacts/{id}");
        Assert.Equal("Café Müller", read.GetProperty("company").GetString());
        Assert.Equal("Chief Engineer", read.GetProperty("title").GetString());
        Assert.Equal("1984-02-29", read.GetProperty("birthday").GetString());
        Assert.Equal("Met at the conference.\nLikes tea.", read.GetProperty("notes").GetString());
        Assert.True(read.GetProperty("favorite").GetBoolean());
        // Trimmed, and a tag given twice in another case is kept once, as first written.
        Assert.Equal([tag, "Friends"], read.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var emails = read.GetProperty("emails").EnumerateArray().ToList();
        Assert.Equal(("work", "zoe@example.org"), (emails[0].GetProperty("label").GetString(), emails[0].GetProperty("value").GetString()));
        Assert.Equal(JsonValueKind.Null, emails[1].GetProperty("label").ValueKind);
        Assert.Equal("+44 (20) 7946-0958", read.GetProperty("phones")[0].GetProperty("value").GetString());
        var address = read.GetProperty("addresses")[0];
        Assert.Equal(("1 High St", "London", "N1 9GU", "UK"), (
            address.GetProperty("street").GetString(), address.GetProperty("locality").GetString(),
            address.GetProperty("postalCode").GetString(), address.GetProperty("country").GetString()));

        // The tutorial's columns stay as they were; the details sit beside them.
        Assert.Equal("Ångström", await Database.ScalarAsync<string>(fixture.ConnectionString, """SELECT "lastName" FROM "People" WHERE id = $1""", id));
    }

    [Fact]
    public async Task A_put_that_names_only_the_names_keeps_the_details_and_empty_values_clear_them()
    {
        var tag = ContactsApi.UniqueTag();
        var id = await ContactsApi.CreateAsync(Api, FullContact(tag));

        using var namesOnly = await Api.PutAsJsonAsync($"/api/contacts/{id}", new { firstName = "Zoe", lastName = "Angstrom" });
        Assert.Equal(HttpStatusCode.OK, namesOnly.StatusCode);
        var kept = await namesOnly.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Zoe", kept.GetProperty("firstName").GetString());
        Assert.Equal("Café Müller", kept.GetProperty("company").GetString());
        Assert.Equal(2, kept.GetProperty("emails").GetArrayLength());

        using var cleared = await Api.PutAsJsonAsync($"/api/contacts/{id}", new
        {
            firstName = "Zoe", company = "", birthday = "", favorite = false, tags = Array.Empty<string>(), emails = Array.Empty<object>(),
        });
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        var after = await Api.GetFromJsonAsync<JsonElement>($"/api/contacts/{id}");
        Assert.Equal(JsonValueKind.Null, after.GetProperty("company").ValueKind);
        Assert.Equal(JsonValueKind.Null, after.GetProperty("birthday").ValueKind);
        Assert.False(after.GetProperty("favorite").GetBoolean());
        Assert.Equal(0, after.GetProperty("tags").GetArrayLength());
        Assert.Equal(0, after.GetProperty("emails").GetArrayLength());
        Assert.Equal(1, after.GetProperty("phones").GetArrayLength());
        Assert.Equal("Chief Engineer", after.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("emails[0].value", """{"firstName":"A","emails":[{"value":"not-an-address"}]}""")]
    [InlineData("emails[0].value", """{"firstName":"A","emails":[{"label":"work"}]}""")]
    [InlineData("phones[0].value", """{"firstName":"A","phones":[{"value":"call me"}]}""")]
    [InlineData("phones[0].value", """{"firstName":"A","phones":[{"value":"12"}]}""")]
    [InlineData("phones[0].value", """{"firstName":"A","phones":[{"value":"555 0100;ext="}]}""")]
    [InlineData("phones[0].value", """{"firstName":"A","phones":[{"value":"555 0100 x12 x3"}]}""")]
    [InlineData("birthday", """{"firstName":"A","birthday":"1984-02-30"}""")]
    [InlineData("birthday", """{"firstName":"A","birthday":"10/12/1815"}""")]
    [InlineData("birthday", """{"firstName":"A","birthday":"2999-01-01"}""")]
    [InlineData("tags[1]", """{"firstName":"A","tags":["ok","  "]}""")]
    [InlineData("addresses[0]", """{"firstName":"A","addresses":[{"label":"home"}]}""")]
    [InlineData("company", """{"firstName":"A","company":"bad\u0000name"}""")]
    public async Task Bad_details_are_refused_per_field_and_nothing_is_stored(string field, string body)
    {
        var before = await Database.CountPeopleAsync(fixture.ConnectionString);
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await Api.PostAsync("/api/contacts", content);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem}");
        Assert.Equal(before, await Database.CountPeopleAsync(fixture.ConnectionString));
    }

    [Theory]
    [InlineData("+1-418-656-9254;ext=102")]
    [InlineData("+1 418 656 9254 x102")]
    [InlineData("(418) 656-9254 ext. 102")]
    [InlineData("418.656.9254 EXT 102")]
    public async Task A_phone_with_an_extension_is_kept_as_written(string phone)
    {
        var id = await ContactsApi.CreateAsync(Api, new { firstName = "Extension", phones = new[] { new { value = phone } } });

        var read = await Api.GetFromJsonAsync<JsonElement>($"/api/contacts/{id}");
        Assert.Equal(phone, read.GetProperty("phones")[0].GetProperty("value").GetString());
    }

    [Fact]
    public async Task Too_many_details_are_refused()
    {
        var emails = Enumerable.Range(0, 21).Select(i => new { value = $"a{i}@example.org" });
        using var response = await Api.PostAsJsonAsync("/api/contacts", new { firstName = "Many", emails });
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("emails", out _));
    }

    [Fact]
    public async Task Search_finds_any_field_in_any_case_with_or_without_accents()
    {
        var tag = ContactsApi.UniqueTag();
        var id = await ContactsApi.CreateAsync(Api, FullContact(tag));
        using var other = await Api.PostAsJsonAsync("/api/contacts", new { firstName = "Other", tags = new[] { tag } });

        // Each word must match; every query below names the tag so that only this test's contacts can match.
        foreach (var query in new[] { "zoe", "ZOË", "angstrom", "cafe muller", "chief", "zoe@example", "7946-0958", "2079460958", "friends" })
        {
            var found = await SearchAsync($"{tag} {query}");
            Assert.True(found.SequenceEqual([id]), $"'{query}' found [{string.Join(", ", found)}]");
        }

        Assert.Equal(2, (await SearchAsync(tag)).Count);
        Assert.Empty(await SearchAsync($"{tag} nobody"));
        // LIKE's wildcards are searched as the characters they are.
        Assert.Empty(await SearchAsync($"{tag} %"));
    }

    [Fact]
    public async Task A_row_the_tutorial_app_inserts_gets_empty_details_and_is_searchable()
    {
        var tag = ContactsApi.UniqueTag();
        await Database.ExecuteAsync(fixture.ConnectionString,
            $"""INSERT INTO "People" ("firstName", "lastName", "createdAt", "updatedAt") VALUES ('Élodie', '{tag}', now(), now())""");

        var found = await Api.GetFromJsonAsync<JsonElement>($"/api/contacts?q={Uri.EscapeDataString($"elodie {tag}")}");
        var contact = Assert.Single(found.GetProperty("items").EnumerateArray());
        Assert.Equal(0, contact.GetProperty("emails").GetArrayLength());
        Assert.Equal(0, contact.GetProperty("tags").GetArrayLength());
        Assert.False(contact.GetProperty("favorite").GetBoolean());
    }

    [Fact]
    public async Task The_search_text_holds_the_words_the_first_version_of_it_held()
    {
        // Rows stored before the cheaper search text keep the first one's: both must answer every search alike.
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand(
            ContactSearch.FirstDocumentFunctionSql.Replace("public.addressbook_search_document(", "pg_temp.first_search_document(", StringComparison.Ordinal),
            connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using var compare = new NpgsqlCommand("""
            WITH contact (f, l, c, t, tags, emails, phones) AS (VALUES
                ('Zoë', NULL, NULL, NULL, '{}'::text[], '[]'::jsonb, '[]'::jsonb),
                ('José', 'Pérez-Ángel', 'Café Müller', 'Chief', '{friends,"close family"}',
                 '[{"label": "work", "value": "JOSÉ@Example.org"}, {"value": "b.c@d.net"}]',
                 '[{"label": "mobile", "value": "+1 (555) 010-0199"}, {"value": "020 7946.0958/1"}]')
            ), texts AS (
                SELECT pg_temp.first_search_document(f, l, c, t, tags, emails, phones) AS first,
                    public.addressbook_search_document(f, l, c, t, tags, emails, phones) AS now
                FROM contact
            ), words (word) AS (VALUES ('zoe'), ('perez-angel'), ('cafe muller'), ('close family'), ('jose@example.org'), ('b.c@d.net'),
                ('(555) 010-0199'), ('15550100199'), ('020 7946.0958/1'), ('0207946'), ('nobody'))
            SELECT count(*) FILTER (WHERE show_trgm(first) <> show_trgm(now))
                + count(*) FILTER (WHERE EXISTS (
                    SELECT FROM words WHERE (first LIKE '%' || word || '%') <> (now LIKE '%' || word || '%')
                        OR word_similarity(word, first) <> word_similarity(word, now)))
            FROM texts
            """, connection);
        Assert.Equal(0L, (long)(await compare.ExecuteScalarAsync())!);
    }

    private Task<List<int>> SearchAsync(string query) => ContactsApi.ListIdsAsync(Api, $"limit=200&q={Uri.EscapeDataString(query)}");
}
