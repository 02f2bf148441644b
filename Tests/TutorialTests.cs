using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests;

/// <summary>The tutorial's own checks: its database tests and its curl session, against the running app.</summary>
[Collection(AppCollection.Name)]
public sealed class TutorialTests(AppFixture fixture)
{
    [Fact]
    public async Task Creating_a_person_stores_the_row_with_its_timestamps()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        using var response = await fixture.Api.PutAsync("/persons", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["firstName"] = "Grace",
            ["lastName"] = "Hopper",
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var person = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = person.GetProperty("id").GetInt32();
        Assert.Equal("Grace", person.GetProperty("firstName").GetString());
        Assert.Equal("Hopper", person.GetProperty("lastName").GetString());
        Assert.True(person.GetProperty("createdAt").GetDateTimeOffset() >= before);
        Assert.True(person.GetProperty("updatedAt").GetDateTimeOffset() >= before);

        var stored = await Database.ScalarAsync<string>(fixture.ConnectionString,
            """SELECT "firstName" || ' ' || "lastName" FROM "People" WHERE id = $1 AND "createdAt" >= $2 AND "updatedAt" >= $2""", id, before);
        Assert.Equal("Grace Hopper", stored);
    }

    [Fact]
    public async Task Getting_a_person_returns_the_stored_row()
    {
        var id = await Database.ScalarAsync<int>(fixture.ConnectionString,
            """INSERT INTO "People" ("firstName", "lastName", "createdAt", "updatedAt") VALUES ('Alan', NULL, now(), now()) RETURNING id""");

        var person = await fixture.Api.GetFromJsonAsync<JsonElement>($"/persons/{id}");

        Assert.Equal(id, person.GetProperty("id").GetInt32());
        Assert.Equal("Alan", person.GetProperty("firstName").GetString());
        Assert.Equal(JsonValueKind.Null, person.GetProperty("lastName").ValueKind);
    }

    [Fact]
    public async Task Deleting_a_person_removes_the_row()
    {
        var id = await Database.ScalarAsync<int>(fixture.ConnectionString,
            """INSERT INTO "People" ("firstName", "lastName", "createdAt", "updatedAt") VALUES ('Ada', 'Lovelace', now(), now()) RETURNING id""");

        using var response = await fixture.Api.DeleteAsync($"/persons/{id}");

        Assert.True(response.IsSuccessStatusCode, $"DELETE answered {(int)response.StatusCode}");
        Assert.Equal(0L, await Database.ScalarAsync<long>(fixture.ConnectionString, """SELECT count(*) FROM "People" WHERE id = $1""", id));
    }

    [Fact]
    public async Task The_tutorials_curl_session_works()
    {
        // curl -X PUT -d "firstName=Linus&lastName=Torvalds" localhost:3000/persons
        using var created = await fixture.Api.PutAsync("/persons",
            new StringContent("firstName=Linus&lastName=Torvalds", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        // curl localhost:3000/persons/all
        var all = await fixture.Api.GetFromJsonAsync<JsonElement>("/persons/all");
        Assert.Equal(JsonValueKind.Array, all.ValueKind);
        Assert.Contains(all.EnumerateArray(), p => p.GetProperty("id").GetInt32() == id && p.GetProperty("lastName").GetString() == "Torvalds");

        // curl localhost:3000/persons/1
        var one = await fixture.Api.GetFromJsonAsync<JsonElement>($"/persons/{id}");
        Assert.Equal("Linus", one.GetProperty("firstName").GetString());

        // curl -X DELETE localhost:3000/persons/1
        using var deleted = await fixture.Api.DeleteAsync($"/persons/{id}");
        Assert.True(deleted.IsSuccessStatusCode);

        using var gone = await fixture.Api.GetAsync($"/persons/{id}");
        await gone.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_person_can_be_created_from_json_with_an_explicit_id_and_later_ids_do_not_collide()
    {
        var explicitId = await Database.ScalarAsync<int>(fixture.ConnectionString, """SELECT COALESCE(max(id), 0) + 1000 FROM "People" """);
        using var withId = await fixture.Api.PutAsJsonAsync("/persons", new { id = explicitId, firstName = "Edsger", lastName = "Dijkstra" });
        Assert.Equal(HttpStatusCode.OK, withId.StatusCode);
        Assert.Equal(explicitId, (await withId.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32());

        using var generated = await fixture.Api.PutAsJsonAsync("/persons", new { firstName = "Barbara", lastName = "Liskov" });
        Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
        Assert.True((await generated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32() > explicitId);

        using var taken = await fixture.Api.PutAsJsonAsync("/persons", new { id = explicitId, firstName = "Someone", lastName = "Else" });
        await taken.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("Edsger", await Database.ScalarAsync<string>(fixture.ConnectionString, """SELECT "firstName" FROM "People" WHERE id = $1""", explicitId));
    }
}
