using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests;

/// <summary>What the serverless site's access control gave it: API keys, read-only and read-write, on every route group.</summary>
[Collection(AppCollection.Name)]
public sealed class ApiKeyTests(AppFixture fixture)
{
    private const string PersonBody = """{"firstName":"Keyless"}""";

    /// <summary>Method, path (CONTACT stands for an existing id), body, and whether the read-only key may do it.</summary>
    public static TheoryData<string, string, string?, bool> Routes => new()
    {
        { "GET", "/persons/all", null, true },
        { "GET", "/persons/CONTACT", null, true },
        { "PUT", "/persons", PersonBody, false },
        { "DELETE", "/persons/CONTACT", null, false },
        { "GET", "/api/contacts", null, true },
        { "GET", "/api/contacts/CONTACT", null, true },
        { "POST", "/api/contacts", PersonBody, false },
        { "PUT", "/api/contacts/CONTACT", PersonBody, false },
        { "DELETE", "/api/contacts/CONTACT", null, false },
        { "POST", "/api/views", null, true },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Without_a_key_every_route_is_a_401_problem_and_changes_nothing(string method, string path, string? body, bool _)
    {
        using var anonymous = fixture.App.CreateApiClient(key: "");
        var (response, before, after) = await SendAndCountAsync(anonymous, method, path, body);

        using (response)
        {
            var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
            Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("ApiKey", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(before, after);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_key_that_is_not_one_of_the_apis_is_a_401_problem(string method, string path, string? body, bool _)
    {
        using var guessing = fixture.App.CreateApiClient(key: OneCharacterOff(fixture.ReadWriteKey));
        var (response, before, after) = await SendAndCountAsync(guessing, method, path, body);

        using (response)
        {
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        }

        Assert.Equal(before, after);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task The_read_only_key_reads_every_route_and_changes_nothing(string method, string path, string? body, bool allowed)
    {
        using var reader = fixture.App.CreateApiClient(fixture.ReadOnlyKey);
        var (response, before, after) = await SendAndCountAsync(reader, method, path, body);

        using (response)
        {
            if (allowed)
            {
                Assert.True(response.IsSuccessStatusCode, $"{method} {path} with the read-only key: {(int)response.StatusCode}");
            }
            else
            {
                var problem = await response.AssertProblemAsync(HttpStatusCode.Forbidden);
                Assert.Contains("read-write key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
                Assert.Equal(before, after);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task The_read_write_key_passes_every_route_also_as_a_bearer_token(string method, string path, string? body, bool _)
    {
        using var writer = fixture.App.CreateApiClient(key: "");
        writer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.ReadWriteKey);
        var (response, _, _) = await SendAndCountAsync(writer, method, path, body);

        using (response)
        {
            Assert.True(response.IsSuccessStatusCode, $"{method} {path} with the read-write key: {(int)response.StatusCode}");
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/health")]
    [InlineData("/alive")]
    [InlineData("/openapi/v1.json")]
    public async Task The_page_its_assets_and_the_probes_need_no_key(string path)
    {
        using var anonymous = fixture.App.CreateApiClient(key: "");

        using var response = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if (path == "/")
        {
            foreach (var asset in await PageAssets.UrlsAsync(anonymous))
            {
                using var assetResponse = await anonymous.GetAsync(asset);
                Assert.Equal(HttpStatusCode.OK, assetResponse.StatusCode);
            }
        }
    }

    // A fixed replacement character would, now and then, be the one the generated key already ends with.
    private static string OneCharacterOff(string key) => key[..^1] + (key[^1] == 'x' ? 'y' : 'x');

    private async Task<(HttpResponseMessage Response, string Before, string After)> SendAndCountAsync(HttpClient client, string method, string path, string? body)
    {
        var contact = await ContactsApi.CreateAsync(fixture.Api, "Guarded", "Contact");
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("CONTACT", contact.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        var before = await SnapshotAsync(contact.Id);
        var response = await client.SendAsync(request);
        return (response, before, await SnapshotAsync(contact.Id));
    }

    // Every write any of the routes could make: rows, the contact's version, the page views.
    private async Task<string> SnapshotAsync(int contactId) => await Database.ScalarAsync<string>(fixture.ConnectionString, """
        SELECT (SELECT count(*) FROM "People")::text || '/' || coalesce((SELECT xmin::text FROM "People" WHERE id = $1), 'gone')
            || '/' || coalesce((SELECT views::text FROM "PageViews"), '0')
        """, contactId);
}

/// <summary>Optimistic concurrency on contacts: ETags, If-None-Match and If-Match.</summary>
[Collection(AppCollection.Name)]
public sealed class ContactConcurrencyTests(AppFixture fixture)
{
    private HttpClient Api => fixture.Api;

    [Fact]
    public async Task A_contact_answers_304_to_its_own_etag_and_200_once_it_changed()
    {
        var contact = await ContactsApi.CreateAsync(Api, "Etag", "Reader");
        Assert.False(contact.ETag.IsWeak);

        using var unchanged = await SendAsync(HttpMethod.Get, contact.Id, ifNoneMatch: contact.ETag.Tag);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Equal(contact.ETag, unchanged.Headers.ETag);
        Assert.Empty(await unchanged.Content.ReadAsByteArrayAsync());

        using var weakly = await SendAsync(HttpMethod.Get, contact.Id, ifNoneMatch: "W/" + contact.ETag.Tag);
        Assert.Equal(HttpStatusCode.NotModified, weakly.StatusCode);

        using var updated = await SendAsync(HttpMethod.Put, contact.Id, body: new { firstName = "Etag", lastName = "Changed" });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        using var changed = await SendAsync(HttpMethod.Get, contact.Id, ifNoneMatch: contact.ETag.Tag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(updated.Headers.ETag, changed.Headers.ETag);
        Assert.NotEqual(contact.ETag, changed.Headers.ETag);
        Assert.True(changed.Headers.CacheControl is { Private: true, NoCache: true }, $"Cache-Control: {changed.Headers.CacheControl}");
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_is_a_412_problem_and_changes_nothing()
    {
        var contact = await ContactsApi.CreateAsync(Api, "Stale", "Original");

        using var first = await SendAsync(HttpMethod.Put, contact.Id, ifMatch: contact.ETag.Tag, body: new { firstName = "Stale", lastName = "First" });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var current = first.Headers.ETag!;
        Assert.NotEqual(contact.ETag, current);

        using var staleUpdate = await SendAsync(HttpMethod.Put, contact.Id, ifMatch: contact.ETag.Tag, body: new { firstName = "Stale", lastName = "Second" });
        await staleUpdate.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        using var staleDelete = await SendAsync(HttpMethod.Delete, contact.Id, ifMatch: contact.ETag.Tag);
        await staleDelete.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("First", await StoredLastNameAsync(contact.Id));

        using var delete = await SendAsync(HttpMethod.Delete, contact.Id, ifMatch: current.Tag);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Null(await StoredLastNameAsync(contact.Id));
    }

    [Fact]
    public async Task Of_editors_who_read_the_same_version_exactly_one_saves()
    {
        var contact = await ContactsApi.CreateAsync(Api, "Contested", "Nobody");

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(editor =>
            SendAsync(HttpMethod.Put, contact.Id, ifMatch: contact.ETag.Tag, body: new { firstName = "Contested", lastName = $"Editor{editor}" })));

        var winners = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        var winner = Assert.Single(winners);
        Assert.All(responses.Except(winners), r => Assert.Equal(HttpStatusCode.PreconditionFailed, r.StatusCode));
        var saved = await winner.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(saved.GetProperty("lastName").GetString(), await StoredLastNameAsync(contact.Id));
        Array.ForEach(responses, r => r.Dispose());
    }

    [Theory]
    [InlineData("*", HttpStatusCode.OK)]
    [InlineData("\"1\", CURRENT", HttpStatusCode.OK)]
    [InlineData("W/CURRENT", HttpStatusCode.PreconditionFailed)]
    [InlineData("\"not-a-version\"", HttpStatusCode.PreconditionFailed)]
    [InlineData("not-an-etag", HttpStatusCode.BadRequest)]
    public async Task If_match_is_compared_strongly(string ifMatch, HttpStatusCode expected)
    {
        var contact = await ContactsApi.CreateAsync(Api, "Strong", "Before");

        using var response = await SendAsync(HttpMethod.Put, contact.Id, ifMatch: ifMatch.Replace("CURRENT", contact.ETag.Tag, StringComparison.Ordinal),
            body: new { firstName = "Strong", lastName = "After" });

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? "After" : "Before", await StoredLastNameAsync(contact.Id));
        if (expected != HttpStatusCode.OK)
        {
            await response.AssertProblemAsync(expected);
        }
    }

    [Fact]
    public async Task A_missing_contact_is_a_404_whatever_if_match_says()
    {
        using var update = await SendAsync(HttpMethod.Put, 2_147_000_000, ifMatch: "\"5\"", body: new { firstName = "Ghost" });
        using var delete = await SendAsync(HttpMethod.Delete, 2_147_000_000, ifMatch: "*");

        await update.AssertProblemAsync(HttpStatusCode.NotFound);
        await delete.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, int id, string? ifMatch = null, string? ifNoneMatch = null, object? body = null)
    {
        using var request = new HttpRequestMessage(method, $"/api/contacts/{id}");
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await Api.SendAsync(request);
    }

    private async Task<string?> StoredLastNameAsync(int id) =>
        await Database.ScalarAsync<object?>(fixture.ConnectionString, """SELECT coalesce((SELECT "lastName" FROM "People" WHERE id = $1), NULL)""", id) as string;
}

/// <summary>The serverless site's visitor counter, now a row in PostgreSQL.</summary>
[Collection(AppCollection.Name)]
public sealed class PageViewCounterTests(AppFixture fixture)
{
    [Fact]
    public async Task Two_hundred_concurrent_views_are_each_counted_exactly_once()
    {
        var before = await CountAsync(fixture.Api);

        var counts = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => CountAsync(fixture.Api)));

        Assert.Equal(Enumerable.Range(1, 200).Select(i => before + i), counts.Order());
        Assert.Equal(before + 200, await Database.ScalarAsync<long>(fixture.ConnectionString, """SELECT views FROM "PageViews" """));
    }

    [Fact]
    public async Task A_reader_counts_a_view_with_the_read_only_key()
    {
        using var reader = fixture.App.CreateApiClient(fixture.ReadOnlyKey);
        var first = await CountAsync(reader);

        Assert.Equal(first + 1, await CountAsync(reader));
    }

    private static async Task<long> CountAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/api/views", content: null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("views").GetInt64();
    }
}

/// <summary>The CDN's duties: hashed names cached for a year, compression, revalidation; and the firewall's: headers and body limits.</summary>
[Collection(AppCollection.Name)]
public sealed class StaticPageAndLimitsTests(AppFixture fixture)
{
    [Fact]
    public async Task The_page_names_its_assets_by_content_hash_and_is_revalidated_on_each_load()
    {
        using var client = fixture.App.CreateApiClient(key: "");

        using var page = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", page.Headers.CacheControl?.ToString());
        Assert.False(page.Headers.ETag!.IsWeak);
        var assets = await PageAssets.UrlsAsync(client);
        Assert.Contains(assets, a => a.EndsWith(".css", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.EndsWith(".js", StringComparison.Ordinal));
        Assert.All(assets, a => Assert.Matches(@"^/app\.[a-z0-9]{6,}\.(css|js)$", a));

        using var revalidated = await SendAsync(client, "/", ifNoneMatch: page.Headers.ETag.Tag);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
    }

    [Theory]
    [InlineData("br", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("br;q=0, gzip", "gzip")]
    public async Task The_page_is_compressed_as_asked_and_revalidated_in_that_encoding(string acceptEncoding, string expected)
    {
        using var client = fixture.App.CreateApiClient(key: "");
        using var identity = await SendAsync(client, "/");
        Assert.Empty(identity.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", identity.Headers.Vary);
        var original = await identity.Content.ReadAsByteArrayAsync();

        using var compressed = await SendAsync(client, "/", acceptEncoding);

        Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
        Assert.Equal(expected, Assert.Single(compressed.Content.Headers.ContentEncoding));
        Assert.Contains("Accept-Encoding", compressed.Headers.Vary);
        Assert.Equal("no-cache", compressed.Headers.CacheControl?.ToString());
        var body = await compressed.Content.ReadAsByteArrayAsync();
        Assert.True(body.Length < original.Length, $"{expected} is {body.Length} bytes, the original {original.Length}");
        Assert.Equal(original, Decompress(expected, body));
        // Each encoding is a representation of its own, so a cache never hands one out under another's tag.
        Assert.False(compressed.Headers.ETag!.IsWeak);
        Assert.NotEqual(identity.Headers.ETag, compressed.Headers.ETag);

        using var revalidated = await SendAsync(client, "/", acceptEncoding, ifNoneMatch: compressed.Headers.ETag.Tag);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Equal(compressed.Headers.ETag, revalidated.Headers.ETag);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
        using var otherEncoding = await SendAsync(client, "/", ifNoneMatch: compressed.Headers.ETag.Tag);
        Assert.Equal(HttpStatusCode.OK, otherEncoding.StatusCode);
        Assert.Empty(otherEncoding.Content.Headers.ContentEncoding);
    }

    [Theory]
    [InlineData(".css")]
    [InlineData(".js")]
    public async Task Hashed_assets_are_cached_for_a_year_precompressed_and_revalidated(string extension)
    {
        using var client = fixture.App.CreateApiClient(key: "");
        var asset = (await PageAssets.UrlsAsync(client)).Single(a => a.EndsWith(extension, StringComparison.Ordinal));

        using var identity = await SendAsync(client, asset);
        var original = await identity.Content.ReadAsByteArrayAsync();
        Assert.Empty(identity.Content.Headers.ContentEncoding);

        foreach (var encoding in new[] { "br", "gzip" })
        {
            using var compressed = await SendAsync(client, asset, acceptEncoding: encoding);
            Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
            Assert.Equal(encoding, Assert.Single(compressed.Content.Headers.ContentEncoding));
            Assert.Contains("Accept-Encoding", compressed.Headers.Vary);
            Assert.Equal(TimeSpan.FromDays(365), compressed.Headers.CacheControl?.MaxAge);
            Assert.Contains("immutable", compressed.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
            Assert.False(compressed.Headers.ETag!.IsWeak);
            var body = await compressed.Content.ReadAsByteArrayAsync();
            Assert.True(body.Length < original.Length, $"{encoding} is {body.Length} bytes, the original {original.Length}");
            Assert.Equal(original, Decompress(encoding, body));

            using var revalidated = await SendAsync(client, asset, acceptEncoding: encoding, ifNoneMatch: compressed.Headers.ETag.Tag);
            Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        }
    }

    [Fact]
    public async Task The_page_has_no_inline_script_or_style_for_its_policy_to_allow()
    {
        using var client = fixture.App.CreateApiClient(key: "");
        var html = await client.GetStringAsync("/");

        Assert.DoesNotMatch(@"<script(?![^>]*\ssrc=)[^>]*>", html);
        Assert.DoesNotMatch(@"\sstyle=", html);
        Assert.DoesNotMatch(@"\son[a-z]+=", html);
        Assert.DoesNotContain("<style", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/", "")]
    [InlineData("/api/contacts", "read-write")]
    [InlineData("/api/contacts", "")]
    [InlineData("/api/no-such-route", "read-write")]
    [InlineData("/persons/not-a-number", "read-write")]
    public async Task Every_answer_carries_the_security_headers(string path, string key)
    {
        using var client = fixture.App.CreateApiClient(key == "" ? "" : fixture.ReadWriteKey);

        using var response = await client.GetAsync(path);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.False(response.Headers.Contains("Server"), "the server names its software");
    }

    public static TheoryData<string, string, string> OversizedBodies => new()
    {
        { "POST", "/api/contacts", "application/json" },
        { "PUT", "/api/contacts/CONTACT", "application/json" },
        { "PUT", "/persons", "application/json" },
        { "PUT", "/persons", "application/x-www-form-urlencoded" },
    };

    [Theory]
    [MemberData(nameof(OversizedBodies))]
    public async Task An_oversized_body_is_a_413_problem_and_writes_nothing(string method, string path, string contentType)
    {
        var contact = await ContactsApi.CreateAsync(fixture.Api, "Small", "Body");
        // Past the largest limit of these routes (a contact with every detail, 128 KiB).
        var name = new string('x', 200_000);
        var body = contentType == "application/json" ? $$"""{"firstName":"{{name}}"}""" : $"firstName={name}";
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("CONTACT", contact.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        var before = await Database.CountPeopleAsync(fixture.ConnectionString);

        using var response = await fixture.Api.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(before, await Database.CountPeopleAsync(fixture.ConnectionString));
        Assert.Equal("Body", await Database.ScalarAsync<string>(fixture.ConnectionString, """SELECT "lastName" FROM "People" WHERE id = $1""", contact.Id));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string? acceptEncoding = null, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null)
        {
            request.Headers.AcceptEncoding.ParseAdd(acceptEncoding);
        }

        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return await client.SendAsync(request);
    }

    private static byte[] Decompress(string encoding, byte[] body)
    {
        using var input = new MemoryStream(body);
        using Stream decompressing = encoding == "br"
            ? new System.IO.Compression.BrotliStream(input, System.IO.Compression.CompressionMode.Decompress)
            : new System.IO.Compression.GZipStream(input, System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        decompressing.CopyTo(output);
        return output.ToArray();
    }
}

/// <summary>Searching and sorting the list the page shows.</summary>
[Collection(AppCollection.Name)]
public sealed class ContactSearchTests(AppFixture fixture)
{
    [Fact]
    public async Task Search_ranks_any_part_of_a_name_in_any_case_first_and_treats_wildcards_literally()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var ada = await ContactsApi.CreateAsync(fixture.Api, $"Ada{tag}", "Lovelace");
        var grace = await ContactsApi.CreateAsync(fixture.Api, "Grace", $"Hop{tag}per");

        // Ranked: the contact the words are part of first; one merely close to them (a typo, to pg_trgm) after it.
        Assert.Equal(ada.Id, (await SearchAsync($"ADA{tag}"))[0]);
        Assert.Equal(grace.Id, (await SearchAsync($"hop{tag}"))[0]);
        Assert.Equal([ada.Id], await SearchAsync($"{tag} lovelace"));
        // A wildcard stands for itself: alone, it is in no contact.
        Assert.Empty(await SearchAsync($"{tag} %"));
        Assert.Empty(await SearchAsync($"{tag} _"));
    }

    [Fact]
    public async Task Newest_first_pages_backwards_through_every_contact_once()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var ids = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await ContactsApi.CreateAsync(fixture.Api, $"Sorted{tag}", $"N{i}")).Id);
        }

        var seen = new List<int>();
        string? cursor = null;
        do
        {
            var page = await fixture.Api.GetFromJsonAsync<JsonElement>(
                $"/api/contacts?q=Sorted{tag}&sort=newest&limit=2" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetInt32()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Reverse(ids), seen);
    }

    [Theory]
    [InlineData("sort=sideways")]
    [InlineData("q=%00")]
    public async Task Bad_search_parameters_are_400_problems(string query)
    {
        using var response = await fixture.Api.GetAsync($"/api/contacts?{query}");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    private async Task<List<int>> SearchAsync(string q)
    {
        var page = await fixture.Api.GetFromJsonAsync<JsonElement>($"/api/contacts?q={Uri.EscapeDataString(q)}");
        return [.. page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetInt32())];
    }
}
