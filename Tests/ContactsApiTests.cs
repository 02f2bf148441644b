using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests;

[Collection(AppCollection.Name)]
public sealed class ContactsApiTests(AppFixture fixture)
{
    private HttpClient Api => fixture.Api;

    [Fact]
    public async Task A_contact_goes_through_create_read_update_delete()
    {
        using var created = await Api.PostAsJsonAsync("/api/contacts", new { firstName = "Katherine", lastName = "Johnson" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var contact = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = contact.GetProperty("id").GetInt32();
        Assert.Equal($"/api/contacts/{id}", created.Headers.Location?.OriginalString);

        var read = await Api.GetFromJsonAsync<JsonElement>($"/api/contacts/{id}");
        Assert.Equal("Johnson", read.GetProperty("lastName").GetString());

        using var updated = await Api.PutAsJsonAsync($"/api/contacts/{id}", new { firstName = "Katherine G.", lastName = "Johnson" });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var afterUpdate = await updated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Katherine G.", afterUpdate.GetProperty("firstName").GetString());
        Assert.True(afterUpdate.GetProperty("updatedAt").GetDateTimeOffset() >= contact.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Equal(contact.GetProperty("createdAt").GetDateTimeOffset(), afterUpdate.GetProperty("createdAt").GetDateTimeOffset());

        using var deleted = await Api.DeleteAsync($"/api/contacts/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await Api.GetAsync($"/api/contacts/{id}");
        await gone.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Listing_pages_through_every_contact_once_in_id_order()
    {
        var ids = new List<int>();
        for (var i = 0; i < 7; i++)
        {
            using var created = await Api.PostAsJsonAsync("/api/contacts", new { firstName = $"Pager{i}" });
            ids.Add((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32());
        }

        var seen = new List<int>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Api.GetFromJsonAsync<JsonElement>(cursor is null ? "/api/contacts?limit=3" : $"/api/contacts?limit=3&cursor={Uri.EscapeDataString(cursor)}");
            var items = page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetInt32()).ToList();
            Assert.True(items.Count <= 3);
            seen.AddRange(items);
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 10_000);

        Assert.Equal(seen.Order(), seen);
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.All(ids, id => Assert.Contains(id, seen));
    }

    [Fact]
    public async Task Listing_without_a_limit_is_still_bounded()
    {
        var page = await Api.GetFromJsonAsync<JsonElement>("/api/contacts");
        Assert.True(page.GetProperty("items").GetArrayLength() <= 200);
    }

    public static TheoryData<string, string, string> InvalidBodies => new()
    {
        { "missing firstName", """{"lastName":"Nobody"}""", "application/json" },
        { "blank firstName", """{"firstName":"   "}""", "application/json" },
        { "firstName too long", $$"""{"firstName":"{{new string('a', 256)}}"}""", "application/json" },
        { "lastName too long", $$"""{"firstName":"Ok","lastName":"{{new string('b', 256)}}"}""", "application/json" },
        { "firstName of the wrong type", """{"firstName":123}""", "application/json" },
        { "malformed JSON", """{"firstName":""", "application/json" },
        { "empty body", "", "application/json" },
        { "JSON that is not an object", """["firstName"]""", "application/json" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Creating_with_bad_input_is_a_400_problem_and_writes_nothing(string reason, string body, string contentType)
    {
        var before = await Database.CountPeopleAsync(fixture.ConnectionString);

        using var response = await Api.PostAsync("/api/contacts", new StringContent(body, Encoding.UTF8, contentType));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(before == await Database.CountPeopleAsync(fixture.ConnectionString), $"{reason} wrote a row");
    }

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Updating_with_bad_input_is_a_400_problem_and_changes_nothing(string reason, string body, string contentType)
    {
        using var created = await Api.PostAsJsonAsync("/api/contacts", new { firstName = "Unchanged", lastName = "Person" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        using var response = await Api.PutAsync($"/api/contacts/{id}", new StringContent(body, Encoding.UTF8, contentType));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var stored = await Api.GetFromJsonAsync<JsonElement>($"/api/contacts/{id}");
        Assert.True(stored.GetProperty("firstName").GetString() == "Unchanged", $"{reason} changed the contact");
    }

    [Fact]
    public async Task Validation_problems_name_the_field()
    {
        using var response = await Api.PostAsJsonAsync("/api/contacts", new { lastName = "Nobody" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(problem.GetProperty("errors").EnumerateObject(), e => e.Name.Equals("firstName", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_without_writing()
    {
        var before = await Database.CountPeopleAsync(fixture.ConnectionString);

        using var response = await Api.PostAsync("/api/contacts", new StringContent("firstName=Plain", Encoding.UTF8, "text/plain"));

        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await Database.CountPeopleAsync(fixture.ConnectionString));
    }

    [Theory]
    [InlineData("GET", "/api/contacts/2147483000")]
    [InlineData("PUT", "/api/contacts/2147483000")]
    [InlineData("DELETE", "/api/contacts/2147483000")]
    [InlineData("GET", "/api/contacts/not-a-number")]
    [InlineData("GET", "/api/contacts/99999999999999")]
    [InlineData("GET", "/persons/2147483000")]
    [InlineData("DELETE", "/persons/2147483000")]
    [InlineData("GET", "/persons/not-a-number")]
    public async Task Unknown_ids_are_404_problems(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "PUT")
        {
            request.Content = JsonContent.Create(new { firstName = "Ghost" });
        }

        using var response = await Api.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=201")]
    [InlineData("limit=-5")]
    [InlineData("limit=ten")]
    [InlineData("cursor=not-a-cursor")]
    [InlineData("cursor=%00%01")]
    public async Task Bad_paging_parameters_are_400_problems(string query)
    {
        using var response = await Api.GetAsync($"/api/contacts?{query}");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    public static TheoryData<string, HttpContent> InvalidPersons => new()
    {
        { "missing firstName", new FormUrlEncodedContent(new Dictionary<string, string> { ["lastName"] = "Only" }) },
        { "negative id", new FormUrlEncodedContent(new Dictionary<string, string> { ["id"] = "-1", ["firstName"] = "Neg" }) },
        { "non-numeric id", new FormUrlEncodedContent(new Dictionary<string, string> { ["id"] = "abc", ["firstName"] = "Abc" }) },
        { "id beyond the column", new FormUrlEncodedContent(new Dictionary<string, string> { ["id"] = "2147483648", ["firstName"] = "Big" }) },
        { "firstName too long", new FormUrlEncodedContent(new Dictionary<string, string> { ["firstName"] = new string('x', 256) }) },
        { "JSON firstName of the wrong type", new StringContent("""{"firstName":true}""", Encoding.UTF8, "application/json") },
        { "malformed JSON", new StringContent("""{"firstName":"A""", Encoding.UTF8, "application/json") },
    };

    [Theory]
    [MemberData(nameof(InvalidPersons))]
    public async Task Tutorial_create_with_bad_input_is_a_400_problem_and_writes_nothing(string reason, HttpContent content)
    {
        var before = await Database.CountPeopleAsync(fixture.ConnectionString);

        using var response = await Api.PutAsync("/persons", content);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(before == await Database.CountPeopleAsync(fixture.ConnectionString), $"{reason} wrote a row");
    }

    [Fact]
    public async Task Health_and_liveness_answer()
    {
        using var health = await Api.GetAsync("/health");
        using var alive = await Api.GetAsync("/alive");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_both_route_groups()
    {
        var document = await Api.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/persons", paths);
        Assert.Contains("/persons/all", paths);
        Assert.Contains("/api/contacts", paths);
        Assert.Contains(paths, p => p.StartsWith("/api/contacts/{", StringComparison.Ordinal));
    }
}
