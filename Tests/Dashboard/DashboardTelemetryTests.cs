using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests.Dashboard;

/// <summary>
/// The app's own telemetry, found through the dashboard's query API as its pages find it: an API call's trace from the
/// endpoint through a replica to its SQL, its log record, and the services' metrics.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardTelemetryTests(DashboardAppFixture fixture)
{
    [Fact]
    public async Task An_api_call_is_one_trace_from_the_endpoint_through_a_replica_to_its_insert()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var created = await SendInTraceAsync(HttpMethod.Post, "/api/contacts", traceId, sampled: true, JsonContent.Create(new { firstName = "Trace", lastName = "Able" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var trace = await Dashboards.PollAsync(
            () => GetJsonAsync($"/api/traces/{traceId}"),
            // A replica's spans may come in two batches: the INSERT ends, and can be sent, before its request does.
            t => t is { } found && Spans(found).Any(s => s.GetProperty("scope").GetString() == "Microsoft.AspNetCore")
                && Spans(found).Any(s => s.GetProperty("scope").GetString() == "Npgsql" && Attribute(s, "db.query.text")?.Contains("INSERT", StringComparison.Ordinal) == true),
            "the trace with its request and its INSERT");

        var spans = Spans(trace!.Value).ToList();
        var proxy = spans.Single(s => s.GetProperty("scope").GetString() == "AddressBook.Hosting.Proxy");
        var server = spans.Single(s => s.GetProperty("scope").GetString() == "Microsoft.AspNetCore");
        var insert = spans.Single(s => Attribute(s, "db.query.text")?.Contains("INSERT", StringComparison.Ordinal) == true);

        Assert.Equal("api-proxy", proxy.GetProperty("resource").GetString());
        Assert.Equal("Server", proxy.GetProperty("kind").GetString());
        Assert.Equal("201", Attribute(proxy, "http.response.status_code"));
        Assert.Equal(Id(proxy), server.GetProperty("parentSpanId").GetString());
        Assert.Matches("^api-[01]$", server.GetProperty("resource").GetString());
        Assert.Equal("POST /api/contacts/", server.GetProperty("name").GetString());
        Assert.Equal(Id(server), insert.GetProperty("parentSpanId").GetString());
        Assert.Equal("Client", insert.GetProperty("kind").GetString());
        Assert.Equal(server.GetProperty("resource").GetString(), insert.GetProperty("resource").GetString());
        Assert.Contains("\"People\"", Attribute(insert, "db.query.text"), StringComparison.Ordinal);
        // The waterfall lists each span after its parent, one level deeper.
        Assert.Equal([0, 1, 2], new[] { proxy, server, insert }.Select(s => s.GetProperty("depth").GetInt32()).ToArray());

        var listed = await GetJsonAsync($"/api/traces?resource=api&text={traceId}");
        var item = Assert.Single(listed!.Value.GetProperty("items").EnumerateArray());
        Assert.Equal(traceId, item.GetProperty("traceId").GetString());
        Assert.True(item.GetProperty("spanCount").GetInt32() >= 3);
    }

    [Fact]
    public async Task A_trace_the_client_chose_not_to_sample_is_recorded_nowhere()
    {
        var unsampled = ActivityTraceId.CreateRandom().ToHexString();
        using (var served = await SendInTraceAsync(HttpMethod.Get, "/api/contacts?limit=1", unsampled, sampled: false))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        // Sampled requests sent after it until both replicas have served one: once their spans have come in, so would
        // have any span of the unsampled one, since each replica and the endpoint send their spans in the order they end.
        var replicas = new HashSet<string>();
        for (var attempt = 0; replicas.Count < 2; attempt++)
        {
            Assert.True(attempt < 20, "twenty sampled requests never reached both replicas");
            var traceId = ActivityTraceId.CreateRandom().ToHexString();
            using var served = await SendInTraceAsync(HttpMethod.Get, "/api/contacts?limit=1", traceId, sampled: true);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);

            var trace = await Dashboards.PollAsync(
                () => GetJsonAsync($"/api/traces/{traceId}"),
                t => t is { } found && Spans(found).Any(s => s.GetProperty("scope").GetString() == "Microsoft.AspNetCore")
                    && Spans(found).Any(s => s.GetProperty("scope").GetString() == "Npgsql"),
                $"sampled trace {traceId} with its query");
            replicas.Add(Spans(trace!.Value).Single(s => s.GetProperty("scope").GetString() == "Microsoft.AspNetCore").GetProperty("resource").GetString()!);
        }

        using var missing = await fixture.Client.GetAsync($"/api/traces/{unsampled}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_created_contact_logs_a_structured_record_in_its_trace()
    {
        using var created = await fixture.Api.PostAsJsonAsync("/api/contacts", new { firstName = "Log", lastName = "Book" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        var logs = await Dashboards.PollAsync(
            () => GetJsonAsync($"/api/logs?resource=api&attribute=ContactId={id}"),
            page => page is { } found && found.GetProperty("items").GetArrayLength() > 0,
            $"the log record of contact {id}");

        var log = Assert.Single(logs!.Value.GetProperty("items").EnumerateArray());
        Assert.Equal($"Created contact {id}", log.GetProperty("message").GetString());
        Assert.Equal("Information", log.GetProperty("level").GetString());
        Assert.Equal("AddressBook.Api.Contacts.ContactsEndpoints", log.GetProperty("category").GetString());
        var traceId = log.GetProperty("traceId").GetString();
        Assert.NotNull(traceId);
        // Logs and spans travel in separate batches: the span the record names may come a moment later.
        var spanId = log.GetProperty("spanId").GetString();
        var trace = await Dashboards.PollAsync(
            () => GetJsonAsync($"/api/traces/{traceId}"),
            t => t is { } found && Spans(found).Any(s => Id(s) == spanId),
            $"span {spanId} of the log record");
        Assert.Equal("POST /api/contacts/", Spans(trace!.Value).Single(s => Id(s) == spanId).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Request_durations_database_metrics_and_the_runtime_are_charted()
    {
        for (var i = 0; i < 5; i++)
        {
            using var response = await fixture.Api.GetAsync("/api/contacts?limit=5");
            response.EnsureSuccessStatusCode();
        }

        var instruments = await Dashboards.PollAsync(
            () => GetJsonAsync("/api/metrics/instruments?resource=api"),
            list => list is { } found && Names(found).Contains("http.server.request.duration") && Names(found).Any(n => n.StartsWith("db.client", StringComparison.Ordinal)),
            "the API's request and database instruments");
        var names = Names(instruments!.Value);
        Assert.Contains("dotnet.gc.heap.total_allocated", names);
        Assert.Contains("kestrel.active_connections", names);

        var chart = await Dashboards.PollAsync(
            () => GetJsonAsync("/api/metrics/chart?resource=api&meter=Microsoft.AspNetCore.Hosting&name=http.server.request.duration"),
            view => view is { } found && found.GetProperty("series").EnumerateArray().SelectMany(s => s.GetProperty("points").EnumerateArray()).Any(p => p.TryGetProperty("p99", out var p99) && p99.ValueKind == JsonValueKind.Number),
            "request duration percentiles");
        Assert.Equal("percentiles", chart!.Value.GetProperty("plot").GetString());
        Assert.Equal("s", chart.Value.GetProperty("unit").GetString());
        var point = chart.Value.GetProperty("series").EnumerateArray().SelectMany(s => s.GetProperty("points").EnumerateArray())
            .First(p => p.TryGetProperty("p99", out var p99) && p99.ValueKind == JsonValueKind.Number);
        Assert.InRange(point.GetProperty("p50").GetDouble(), 0, point.GetProperty("p99").GetDouble());
        Assert.InRange(point.GetProperty("p99").GetDouble(), 0, 10);
    }

    [Fact]
    public async Task Environment_shown_for_a_replica_masks_the_database_password_and_the_otlp_key()
    {
        var resources = await GetJsonAsync("/api/resources");
        var api = resources!.Value.EnumerateArray().Single(r => r.GetProperty("name").GetString() == ResourceNames.Api);
        var environment = api.GetProperty("replicas")[0].GetProperty("environment").EnumerateArray()
            .ToDictionary(v => v.GetProperty("name").GetString()!, v => v.GetProperty("value").GetString()!);
        var password = (await fixture.App.GetConnectionStringAsync(ResourceNames.Database))!.Split(';').Single(p => p.StartsWith("Password=", StringComparison.Ordinal))["Password=".Length..];

        Assert.Contains("Password=••••••••", environment[$"ConnectionStrings__{ResourceNames.Database}"], StringComparison.Ordinal);
        Assert.DoesNotContain(password, string.Join("\n", environment.Values), StringComparison.Ordinal);
        Assert.Equal("x-otlp-api-key=••••••••", environment["OTEL_EXPORTER_OTLP_HEADERS"]);
        Assert.Equal(fixture.Dashboard.OtlpGrpcUrl.ToString().TrimEnd('/'), environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("1000", environment["OTEL_BSP_SCHEDULE_DELAY"]);
        var parameter = resources.Value.EnumerateArray().Single(r => r.GetProperty("name").GetString() == $"{ResourceNames.Postgres}-password");
        Assert.Equal("••••••••", parameter.GetProperty("value").GetString());
        Assert.Equal(["resource-stop", "resource-restart"], api.GetProperty("commands").EnumerateArray().Select(c => c.GetString()!).ToArray());
    }

    [Fact]
    public async Task Bad_queries_get_400_problem_details_and_unknown_commands_404()
    {
        using var level = await fixture.Client.GetAsync("/api/logs?level=Loud");
        await ProblemAssertions.AssertProblemAsync(level, HttpStatusCode.BadRequest);
        using var trace = await fixture.Client.GetAsync("/api/traces/not-a-trace-id");
        await ProblemAssertions.AssertProblemAsync(trace, HttpStatusCode.BadRequest);
        using var unknown = await fixture.Client.PostAsync("/api/resources/nothing/commands/resource-restart", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var unsupported = await fixture.Client.PostAsync($"/api/resources/{ResourceNames.Postgres}/commands/resource-restart", null);
        await ProblemAssertions.AssertProblemAsync(unsupported, HttpStatusCode.BadRequest);
    }

    // As a client that started the trace itself would send it: its W3C traceparent, with its sampling decision.
    private async Task<HttpResponseMessage> SendInTraceAsync(HttpMethod method, string path, string traceId, bool sampled, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-{(sampled ? "01" : "00")}");
        return await fixture.Api.SendAsync(request);
    }

    private async Task<JsonElement?> GetJsonAsync(string path)
    {
        using var response = await fixture.Client.GetAsync(path);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
    }

    private static IEnumerable<JsonElement> Spans(JsonElement trace) => trace.GetProperty("spans").EnumerateArray();

    private static string? Id(JsonElement span) => span.GetProperty("spanId").GetString();

    private static string? Attribute(JsonElement span, string key) =>
        span.GetProperty("attributes").EnumerateArray().FirstOrDefault(a => a.GetProperty("key").GetString() == key) is { ValueKind: JsonValueKind.Object } found
            ? found.GetProperty("value").GetString() : null;

    private static List<string> Names(JsonElement instruments) => [.. instruments.EnumerateArray().Select(i => i.GetProperty("name").GetString()!)];
}
