extern alias Api;

using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AddressBook.Tests.Infrastructure;
using Api::AddressBook.Api.Contacts;
using Api::AddressBook.Api.Data;

namespace AddressBook.Tests;

/// <summary>Importing and exporting vCard and CSV files through the API, against real PostgreSQL.</summary>
[Collection(AppCollection.Name)]
public sealed class ContactImportTests(AppFixture fixture)
{
    private HttpClient Api => fixture.Api;

    [Fact]
    public async Task A_vcard_file_is_imported_and_comes_back_out_of_the_export_with_every_field()
    {
        var tag = ContactsApi.UniqueTag();
        var card = $"""
            BEGIN:VCARD
            VERSION:4.0
            N:Ångström;Zoë;;;
            FN:Zoë Ångström
            ORG:Café Müller
            TITLE:Chief Engineer
            BDAY:19840229
            NOTE:Met at the conference\, twice.\nLikes tea\; not coffee.
            CATEGORIES:{tag},friends
            EMAIL;TYPE=work:zoe.{tag}@example.org
            TEL;TYPE=cell;VALUE=text:+44 20 7946 0958
            ADR;TYPE=home:;;1 High St;London;;N1 9GU;UK
            X-ADDRESSBOOK-FAVORITE:TRUE
            END:VCARD
            BEGIN:VCARD
            VERSION:3.0
            N:Other;Second;;;
            FN:Second Other
            CATEGORIES:{tag}
            END:VCARD

            """.Replace("\n", "\r\n", StringComparison.Ordinal);

        var summary = await ImportAsync(card, "text/vcard", "create");
        Assert.Equal(2, summary.GetProperty("created").GetInt64());

        var imported = await FindAsync($"zoe.{tag}");
        Assert.Equal("Zoë", imported.GetProperty("firstName").GetString());
        Assert.Equal("Café Müller", imported.GetProperty("company").GetString());
        Assert.Equal("1984-02-29", imported.GetProperty("birthday").GetString());
        Assert.Equal("Met at the conference, twice.\nLikes tea; not coffee.", imported.GetProperty("notes").GetString());
        Assert.True(imported.GetProperty("favorite").GetBoolean());
        Assert.Equal("London", imported.GetProperty("addresses")[0].GetProperty("locality").GetString());

        var export = await Api.GetAsync("/api/contacts/export.vcf");
        Assert.Equal("text/vcard", export.Content.Headers.ContentType?.MediaType);
        var exported = await export.Content.ReadAsStringAsync();
        Assert.Contains($"EMAIL;TYPE=work:zoe.{tag}@example.org", exported, StringComparison.Ordinal);

        // Round trip: the exported card, imported again as a new contact, carries the same record.
        var cardOut = exported.Split("BEGIN:VCARD").Select(c => "BEGIN:VCARD" + c).Single(c => c.Contains($"zoe.{tag}@", StringComparison.Ordinal));
        await ImportAsync(cardOut.Replace(tag, tag + "copy", StringComparison.Ordinal), "text/vcard", "create");
        var copy = await FindAsync($"zoe.{tag}copy");
        foreach (var field in new[] { "firstName", "lastName", "company", "title", "birthday", "notes", "favorite", "phones", "addresses" })
        {
            Assert.Equal(imported.GetProperty(field).GetRawText(), copy.GetProperty(field).GetRawText());
        }
    }

    [Fact]
    public async Task The_example_card_of_rfc_6350_is_imported_with_its_extension()
    {
        var tag = ContactsApi.UniqueTag();
        // RFC 6350's own example, with an email of this test's own to find it by.
        var card = Interchange.RfcExamples.Rfc6350Card.Replace("simon.perreault@", $"simon.{tag}@", StringComparison.Ordinal);

        var summary = await ImportAsync(card, "text/vcard", "create");

        Assert.Equal(1, summary.GetProperty("created").GetInt64());
        var simon = await FindAsync($"simon.{tag}");
        Assert.Equal(
            ["+1-418-656-9254;ext=102", "+1-418-262-6501"],
            simon.GetProperty("phones").EnumerateArray().Select(phone => phone.GetProperty("value").GetString()));
    }

    [Fact]
    public async Task A_csv_file_with_a_bad_record_names_its_line_and_imports_nothing()
    {
        var tag = ContactsApi.UniqueTag();
        var csv = $"First Name,Last Name,Email 1,Tags\r\nAda,Lovelace,ada.{tag}@example.org,{tag}\r\n\"Grace\nBrewster\",Hopper,not-an-email,{tag}\r\nAlan,Turing,alan.{tag}@example.org,{tag}\r\n";
        var before = await Database.CountPeopleAsync(fixture.ConnectionString);

        using var response = await PostFileAsync(csv, "text/csv", "create");

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        var reported = Assert.Single(problem.GetProperty("problems").EnumerateArray());
        Assert.Equal(3, reported.GetProperty("line").GetInt32());
        Assert.Equal("emails[0].value", reported.GetProperty("field").GetString());
        Assert.Equal(before, await Database.CountPeopleAsync(fixture.ConnectionString));
    }

    [Fact]
    public async Task A_file_that_is_not_utf8_is_refused_at_its_line()
    {
        var bytes = Encoding.Latin1.GetBytes("First Name,Last Name\r\nAda,Lovelace\r\nJosé,Martí\r\n");
        var before = await Database.CountPeopleAsync(fixture.ConnectionString);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("text/csv");

        using var response = await Api.PostAsync("/api/contacts/import", content);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(3, problem.GetProperty("problems")[0].GetProperty("line").GetInt32());
        Assert.Equal(before, await Database.CountPeopleAsync(fixture.ConnectionString));
    }

    [Theory]
    [InlineData("application/json", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("text/csv; charset=iso-8859-1", HttpStatusCode.UnsupportedMediaType)]
    public async Task A_file_of_another_type_is_refused(string contentType, HttpStatusCode expected)
    {
        using var response = await PostFileAsync("First Name\r\nAda\r\n", contentType, null);
        await response.AssertProblemAsync(expected);
    }

    [Fact]
    public async Task An_unknown_duplicates_choice_is_refused()
    {
        using var response = await PostFileAsync("First Name\r\nAda\r\n", "text/csv", "ignore");
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("duplicates", out _));
    }

    [Fact]
    public async Task A_file_larger_than_the_limit_is_413_before_it_is_read()
    {
        var endpoint = fixture.Api.BaseAddress!;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint.Host, endpoint.Port);
        await using var stream = tcp.GetStream();
        var key = fixture.Api.DefaultRequestHeaders.GetValues("X-Api-Key").Single();
        // As curl sends a large upload: the body follows only once the server has said it wants it.
        var head = $"POST /api/contacts/import HTTP/1.1\r\nHost: {endpoint.Authority}\r\nX-Api-Key: {key}\r\nContent-Type: text/csv\r\n"
            + $"Content-Length: {600L * 1024 * 1024}\r\nExpect: 100-continue\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("HTTP/1.1 413", statusLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicates_by_email_or_phone_are_skipped_merged_or_created_as_asked()
    {
        var tag = ContactsApi.UniqueTag();
        var existingId = await ContactsApi.CreateAsync(Api, new
        {
            firstName = "Existing", company = "Kept Ltd", tags = new[] { tag },
            emails = new[] { new { label = "work", value = $"dup.{tag}@example.org" } },
        });
        var csv = $"First Name,Company,Title,Email 1,Phone 1,Tags\r\nIncoming,Other Co,Director,DUP.{tag}@example.org,+1 555 010 9999,{tag}-new\r\nFresh,,,,+1 555 010 8888,{tag}\r\nFresh again,,,,+1 (555) 010-8888,{tag}\r\n";

        var skipped = await ImportAsync(csv, "text/csv", "skip");
        Assert.Equal((1L, 2L), (skipped.GetProperty("created").GetInt64(), skipped.GetProperty("skipped").GetInt64()));

        // Now every record has its match: the existing contact, and the one the skipping import created.
        var merged = await ImportAsync(csv, "text/csv", "merge");
        Assert.Equal((0L, 3L), (merged.GetProperty("created").GetInt64(), merged.GetProperty("merged").GetInt64()));
        var after = await Api.GetFromJsonAsync<JsonElement>($"/api/contacts/{existingId}");
        Assert.Equal("Kept Ltd", after.GetProperty("company").GetString());
        Assert.Equal("Director", after.GetProperty("title").GetString());
        Assert.Equal("+1 555 010 9999", after.GetProperty("phones")[0].GetProperty("value").GetString());
        Assert.Equal(1, after.GetProperty("emails").GetArrayLength());
        Assert.Equal([tag, $"{tag}-new"], after.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).Order());

        var created = await ImportAsync(csv, "text/csv", "create");
        Assert.Equal(3L, created.GetProperty("created").GetInt64());
    }

    [Fact]
    public async Task A_bad_record_after_thousands_of_good_ones_leaves_none_of_them_behind()
    {
        // Enough records that the good ones have reached the database, not only the client's buffer, when the bad one comes.
        var tag = ContactsApi.UniqueTag();
        var csv = new StringBuilder("First Name,Email 1,Tags\r\n");
        for (var i = 0; i < 3000; i++)
        {
            csv.Append($"Many{i},many{i}.{tag}@example.org,{tag}\r\n");
        }

        csv.Append($"Broken,not-an-email,{tag}\r\n");
        var before = await Database.CountPeopleAsync(fixture.ConnectionString);

        using var response = await PostFileAsync(csv.ToString(), "text/csv", "create");

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(3002, Assert.Single(problem.GetProperty("problems").EnumerateArray()).GetProperty("line").GetInt32());
        Assert.Equal(before, await Database.CountPeopleAsync(fixture.ConnectionString));
        Assert.Empty(await ContactsApi.ListIdsAsync(Api, $"q={tag}"));
    }

    [Fact]
    public async Task An_import_that_adds_many_contacts_leaves_the_planner_statistics_of_them_and_a_small_one_does_not()
    {
        const string lastAnalyzedSql = """SELECT coalesce(last_analyze, '-infinity') FROM pg_stat_user_tables WHERE relid = 'public."People"'::regclass""";
        var tag = ContactsApi.UniqueTag();
        var initially = await Database.ScalarAsync<DateTime>(fixture.ConnectionString, lastAnalyzedSql);

        await ImportAsync($"First Name,Tags\r\nFew,{tag}\r\n", "text/csv", "create");
        Assert.Equal(initially, await Database.ScalarAsync<DateTime>(fixture.ConnectionString, lastAnalyzedSql));

        // A tenth of the address book, however many contacts the other tests left in it.
        var many = Math.Max(2000, await Database.CountPeopleAsync(fixture.ConnectionString) / 9);
        var csv = new StringBuilder("First Name,Tags\r\n");
        for (var i = 0; i < many; i++)
        {
            csv.Append($"Many{i},{tag}\r\n");
        }

        await ImportAsync(csv.ToString(), "text/csv", "create");
        Assert.True(await Database.ScalarAsync<DateTime>(fixture.ConnectionString, lastAnalyzedSql) > initially);
    }

    [Fact]
    public async Task A_large_import_is_listed_at_once_and_found_by_search_and_by_a_typo_once_indexed()
    {
        const int Count = ContactImport.IndexedLaterFrom + 100;
        var tag = ContactsApi.UniqueTag();
        var word = ContactsApi.UniqueWord();
        var csv = new StringBuilder("First Name,Last Name,Tags\r\n");
        for (var i = 0; i < Count; i++)
        {
            csv.Append($"{Capitalized(word)},Number{i},{tag}\r\n");
        }

        var imported = await ImportAsync(csv.ToString(), "text/csv", "create");
        Assert.Equal(Count, imported.GetProperty("created").GetInt64());
        Assert.True(imported.GetProperty("indexingForSearch").GetBoolean());

        // A listing that needs no search text has them all the moment the import answers.
        var listed = await ListAsync($"tag={tag}&limit=1");
        Assert.Single(listed.GetProperty("items").EnumerateArray());
        Assert.Equal(ContactListing.ExactCountLimit, listed.GetProperty("total").GetProperty("value").GetInt32());

        // The last record is in the indexer's last batch.
        var last = await EventuallyAsync(() => ListAsync($"q={Uri.EscapeDataString($"{word} number{Count - 1}")}"), page => page.GetProperty("items").GetArrayLength() == 1);
        Assert.Equal($"Number{Count - 1}", last.GetProperty("items")[0].GetProperty("lastName").GetString());
        Assert.Equal((long)Count, await Database.ScalarAsync<long>(fixture.ConnectionString, $"""
            SELECT count(*) FROM "{PersonSearchTextConfiguration.TableName}" WHERE tags @> ARRAY['{tag}']
            """));
        var byTypo = await ListAsync($"q={ContactsApi.Typo(word)}&tag={tag}&limit=5");
        Assert.Equal(5, byTypo.GetProperty("items").GetArrayLength());
        Assert.All(byTypo.GetProperty("items").EnumerateArray(), contact => Assert.Equal(Capitalized(word), contact.GetProperty("firstName").GetString()));
    }

    [Fact]
    public async Task A_large_import_that_skips_duplicates_leaves_the_texts_of_the_contacts_it_creates_for_after()
    {
        const int Count = ContactImport.IndexedLaterFrom + 10;
        var word = ContactsApi.UniqueWord();
        var existing = await ContactsApi.CreateAsync(Api, new { firstName = "Existing", emails = new[] { new { value = $"{word}0@example.org" } } });
        var csv = new StringBuilder("First Name,Last Name,Email 1\r\n");
        for (var i = 0; i < Count; i++)
        {
            csv.Append($"{Capitalized(word)},Number{i},{word}{i}@example.org\r\n");
        }

        var imported = await ImportAsync(csv.ToString(), "text/csv", null);
        Assert.Equal((Count - 1L, 1L), (imported.GetProperty("created").GetInt64(), imported.GetProperty("skipped").GetInt64()));
        Assert.True(imported.GetProperty("indexingForSearch").GetBoolean());

        var last = await EventuallyAsync(() => ListAsync($"q={Uri.EscapeDataString($"{word} number{Count - 1}")}"), page => page.GetProperty("items").GetArrayLength() == 1);
        Assert.Equal($"Number{Count - 1}", last.GetProperty("items")[0].GetProperty("lastName").GetString());
        Assert.Equal([existing], ContactsApi.Ids(await ListAsync($"q={word}0%40")));
    }

    [Fact]
    public async Task A_small_import_is_found_by_search_the_moment_it_answers()
    {
        var word = ContactsApi.UniqueWord();
        var imported = await ImportAsync($"First Name,Last Name\r\n{word},One\r\n{word},Two\r\n", "text/csv", "create");
        Assert.False(imported.GetProperty("indexingForSearch").GetBoolean());
        Assert.Equal(2, ContactsApi.Ids(await ListAsync($"q={word}")).Count);
    }

    [Fact]
    public async Task Contacts_written_with_their_texts_left_for_later_are_indexed_by_the_api_without_being_told()
    {
        // As a replica that imported them and stopped before its indexer got to them would leave them.
        var word = ContactsApi.UniqueWord();
        await Database.ExecuteAsync(fixture.ConnectionString, $"""
            BEGIN;
            SET LOCAL {SearchIndexing.IndexedLaterSetting} = on;
            CREATE TEMP TABLE last_before ON COMMIT DROP AS SELECT coalesce(max(id), 0) AS id FROM "People";
            INSERT INTO "People" ("firstName", "lastName", "createdAt", "updatedAt") SELECT '{word}', 'Later' || i, now(), now() FROM generate_series(1, 3) AS i;
            INSERT INTO "{SearchIndexing.BacklogTable}" (after_id, through_id) SELECT last_before.id, max(p.id) FROM last_before, "People" AS p GROUP BY last_before.id;
            COMMIT;
            """);

        var found = await EventuallyAsync(() => ListAsync($"q={word}"), page => page.GetProperty("items").GetArrayLength() == 3);
        Assert.Equal(["Later1", "Later2", "Later3"], found.GetProperty("items").EnumerateArray().Select(contact => contact.GetProperty("lastName").GetString()));
    }

    [Fact]
    public async Task A_deleted_contact_takes_its_search_text_along()
    {
        var word = ContactsApi.UniqueWord();
        var id = await ContactsApi.CreateAsync(Api, new { firstName = word });
        const string textsSql = $"""SELECT count(*) FROM "{PersonSearchTextConfiguration.TableName}" WHERE id = $1""";
        Assert.Equal(1L, await Database.ScalarAsync<long>(fixture.ConnectionString, textsSql, id));

        using var deleted = await Api.DeleteAsync($"/api/contacts/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(0L, await Database.ScalarAsync<long>(fixture.ConnectionString, textsSql, id));
        Assert.Empty(await ContactsApi.ListIdsAsync(Api, $"q={word}"));
    }

    [Fact]
    public async Task A_merge_that_would_take_a_contact_past_its_limits_is_reported_and_nothing_is_merged()
    {
        var tag = ContactsApi.UniqueTag();
        var full = await ContactsApi.CreateAsync(Api, new
        {
            firstName = "Full",
            emails = Enumerable.Range(1, 19).Select(i => new { value = $"full{i}.{tag}@example.org" }),
        });
        var other = await ContactsApi.CreateAsync(Api, new { firstName = "Other", emails = new[] { new { value = $"other.{tag}@example.org" } } });
        // Each record alone is within the limits; the second and third together give the first contact 22 emails.
        var csv = $"First Name,Email 1,Email 2\r\nOther,other.{tag}@example.org,other2.{tag}@example.org\r\n"
            + $"Full,full1.{tag}@example.org,new1.{tag}@example.org\r\nFull,full2.{tag}@example.org,new2.{tag}@example.org\r\n"
            + $"Full,full3.{tag}@example.org,new3.{tag}@example.org\r\n";

        using var response = await PostFileAsync(csv, "text/csv", "merge");

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        var reported = Assert.Single(problem.GetProperty("problems").EnumerateArray());
        Assert.Equal((5, "emails"), (reported.GetProperty("line").GetInt32(), reported.GetProperty("field").GetString()));
        Assert.Contains("22 emails", reported.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(19, (await Api.GetFromJsonAsync<JsonElement>($"/api/contacts/{full}")).GetProperty("emails").GetArrayLength());
        Assert.Equal(1, (await Api.GetFromJsonAsync<JsonElement>($"/api/contacts/{other}")).GetProperty("emails").GetArrayLength());
    }

    [Fact]
    public async Task Imported_contacts_are_found_by_every_field_whether_created_or_merged()
    {
        var tag = ContactsApi.UniqueTag();
        var csv = $"First Name,Last Name,Company,Email 1,Phone 1,Tags\r\n"
            + $"José,Pérez,Café Müller,jose.{tag}@example.org,+1 (555) 010-7777,{tag}\r\n"
            + $"Second,Line,,second.{tag}@example.org,,{tag}\r\n";
        var created = await ImportAsync(csv, "text/csv", "create");
        Assert.Equal(2L, created.GetProperty("created").GetInt64());

        var ids = await ContactsApi.ListIdsAsync(Api, $"q={tag}&sort=oldest");
        Assert.Equal(2, ids.Count);
        var jose = ids[0];
        foreach (var query in new[] { "jose", "PEREZ", "cafe muller", $"jose.{tag}@example", "(555) 010-7777", "555 010", "5550107777" })
        {
            Assert.Equal([jose], await ContactsApi.ListIdsAsync(Api, $"q={Uri.EscapeDataString($"{tag} {query}")}"));
        }

        // A merge rewrites the contact through the staging table: the details it brings are searchable too.
        var merge = $"First Name,Email 1,Email 2,Phone 1\r\nJosé,jose.{tag}@example.org,pepe.{tag}@example.net,+44 20 7946 0000\r\n";
        Assert.Equal(1L, (await ImportAsync(merge, "text/csv", "merge")).GetProperty("merged").GetInt64());
        foreach (var query in new[] { $"pepe.{tag}", "7946 0000", "442079460000", "cafe" })
        {
            Assert.Equal([jose], await ContactsApi.ListIdsAsync(Api, $"q={Uri.EscapeDataString($"{tag} {query}")}"));
        }
    }

    [Fact]
    public async Task The_words_of_imported_contacts_are_found_by_a_typo()
    {
        var created = ContactsApi.UniqueWord();
        var merged = ContactsApi.UniqueWord();
        var tag = ContactsApi.UniqueTag();
        Assert.Equal(1L, (await ImportAsync($"First Name,Last Name,Email 1,Tags\r\nAda,{created},ada.{tag}@example.org,{tag}\r\n", "text/csv", "create"))
            .GetProperty("created").GetInt64());
        Assert.Equal(1L, (await ImportAsync($"First Name,Company,Email 1\r\nAda,{merged},ada.{tag}@example.org\r\n", "text/csv", "merge"))
            .GetProperty("merged").GetInt64());

        var ada = Assert.Single(await ContactsApi.ListIdsAsync(Api, $"q={tag}"));
        Assert.Equal([ada], await ContactsApi.ListIdsAsync(Api, $"q={ContactsApi.Typo(created)}"));
        Assert.Equal([ada], await ContactsApi.ListIdsAsync(Api, $"q={ContactsApi.Typo(merged)}"));
    }

    [Fact]
    public async Task The_csv_export_has_a_header_and_every_contact()
    {
        var tag = ContactsApi.UniqueTag();
        await Api.PostAsJsonAsync("/api/contacts", new { firstName = "Csv, \"Quoted\"", lastName = tag, notes = "two\nlines" });

        using var export = await Api.GetAsync("/api/contacts/export.csv");
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        var text = await export.Content.ReadAsStringAsync();
        Assert.StartsWith("First Name,Last Name,", text, StringComparison.Ordinal);
        Assert.Contains($"\"Csv, \"\"Quoted\"\"\",{tag},", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_csv_export_has_as_many_email_phone_and_address_columns_as_the_contact_with_the_most()
    {
        static string MostSql(string column) => $"""SELECT greatest(1, max(jsonb_array_length({column})))::int FROM "People" """;
        var tag = ContactsApi.UniqueTag();
        var emails = await Database.ScalarAsync<int>(fixture.ConnectionString, MostSql("emails")) + 1;
        Assert.True(emails <= Api::AddressBook.Api.Contacts.ContactDetails.MaxEmails, $"the test needs room for one email more than the {emails - 1} another contact has");
        var created = await Api.PostAsJsonAsync("/api/contacts", new
        {
            firstName = "Wide",
            lastName = tag,
            emails = Enumerable.Range(1, emails).Select(n => new { value = $"e{n}.{tag}@example.org" }),
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var export = await Api.GetAsync("/api/contacts/export.csv");
        var text = await export.Content.ReadAsStringAsync();
        var header = text[..text.IndexOf("\r\n", StringComparison.Ordinal)].Split(',');
        int Numbered(string kind) => header.Count(name => name.StartsWith(kind + " ", StringComparison.Ordinal) && int.TryParse(name[(kind.Length + 1)..], out _));

        Assert.Equal(emails, Numbered("Email"));
        Assert.Equal(await Database.ScalarAsync<int>(fixture.ConnectionString, MostSql("phones")), Numbered("Phone"));
        Assert.Equal(await Database.ScalarAsync<int>(fixture.ConnectionString, MostSql("addresses")), header.Count(name => name.StartsWith("Address ", StringComparison.Ordinal) && name.EndsWith(" Street", StringComparison.Ordinal)));
        Assert.Contains($",e{emails}.{tag}@example.org,", text, StringComparison.Ordinal);
    }

    private async Task<JsonElement> ListAsync(string query) => await Api.GetFromJsonAsync<JsonElement>($"/api/contacts?{query}");

    private static string Capitalized(string word) => char.ToUpperInvariant(word[0]) + word[1..];

    /// <summary>Asks again until the answer passes, for texts the indexer computes after an import: a batch takes about a second.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> ask, Func<T, bool> passes)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var answer = await ask();
            if (passes(answer) || DateTime.UtcNow > deadline)
            {
                return answer;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    private async Task<JsonElement> ImportAsync(string file, string contentType, string? duplicates)
    {
        using var response = await PostFileAsync(file, contentType, duplicates);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private Task<HttpResponseMessage> PostFileAsync(string file, string contentType, string? duplicates)
    {
        var content = new StringContent(file, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        return Api.PostAsync("/api/contacts/import" + (duplicates is null ? "" : $"?duplicates={duplicates}"), content);
    }

    private async Task<JsonElement> FindAsync(string query)
    {
        var page = await Api.GetFromJsonAsync<JsonElement>($"/api/contacts?q={Uri.EscapeDataString(query)}&sort=oldest");
        return page.GetProperty("items").EnumerateArray().First();
    }
}
