using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AddressBook.Hosting;
using AddressBook.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AddressBook.Tests.Dashboard;

/// <summary>The dashboard's pages in headless Chromium, as a developer uses them; each test leaves a screenshot.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardPageTests
{
    private readonly DashboardAppFixture fixture;
    private readonly BrowserFixture browser;

    public DashboardPageTests(DashboardAppFixture fixture, BrowserFixture browser)
    {
        this.fixture = fixture;
        this.browser = browser;
        // Live pages wait on the app's own schedule (exports every second) on a busy two-core machine.
        Assertions.SetDefaultExpectTimeout(15_000);
    }

    [Fact]
    public async Task After_logging_in_with_the_token_every_resource_shows_running_or_finished()
    {
        var page = await browser.NewPageAsync(1500, 900);
        var refused = await page.GotoAsync(fixture.Dashboard.FrontendUrl.ToString());
        Assert.Equal(401, refused!.Status);
        await Assertions.Expect(page.GetByLabel("Token")).ToBeVisibleAsync();

        await page.GotoAsync(fixture.Dashboard.LoginUrl.ToString());
        await page.WaitForURLAsync("**/#/resources");
        var rows = page.Locator("#resources tbody tr[data-resource]");
        var modelled = fixture.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Count;
        await Assertions.Expect(rows).ToHaveCountAsync(modelled);
        foreach (var (name, state) in new[] { (ResourceNames.Postgres, "Running"), (ResourceNames.Database, "Running"), (ResourceNames.Migrations, "Finished"), (ResourceNames.Api, "Running") })
        {
            await Assertions.Expect(page.Locator($"#resources tr[data-resource='{name}'] .state-text")).ToHaveTextAsync(state);
        }

        await Assertions.Expect(page.Locator("#resources tr[data-replica='api-1']")).ToContainTextAsync("Running");
        await Assertions.Expect(page.Locator($"#resources tr[data-resource='{ResourceNames.Api}']")).ToContainTextAsync(fixture.App.GetEndpoint(ResourceNames.Api).ToString().TrimEnd('/'));
        // CPU and memory arrive with the first usage sample.
        await Assertions.Expect(page.Locator($"#resources tr[data-resource='{ResourceNames.Postgres}']")).ToContainTextAsync("MiB");
        await page.Locator("#resources tr[data-replica='api-0'] button[data-env]").ClickAsync();
        await Assertions.Expect(page.Locator("#details")).ToContainTextAsync("Password=••••••••");
        await TestArtifacts.ScreenshotAsync(page, "dashboard-resources");
    }

    [Fact]
    public async Task Restart_on_a_replica_replaces_its_process_and_the_page_shows_the_new_one()
    {
        var page = await LoggedInPageAsync("#/resources");
        var before = fixture.App.ResourceNotifications.TryGetCurrentState(ResourceNames.Api)!.Replicas[1].ProcessId;
        var replicaRow = page.Locator("#resources tr[data-replica='api-1']");
        await Assertions.Expect(replicaRow).ToContainTextAsync(before!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await replicaRow.Locator("button[data-cmd='resource-restart']").ClickAsync();

        await Assertions.Expect(page.Locator("#command-status")).ToHaveTextAsync("restart api-1: done", new() { Timeout = 90_000 });
        var after = fixture.App.ResourceNotifications.TryGetCurrentState(ResourceNames.Api)!.Replicas[1].ProcessId;
        Assert.NotEqual(before, after);
        await Assertions.Expect(page.Locator("#resources tr[data-replica='api-1']")).ToContainTextAsync(after!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_trace_opens_as_a_waterfall_from_the_endpoint_to_the_sql()
    {
        var page = await LoggedInPageAsync("#/traces?resource=api");
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/contacts?limit=3");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        (await fixture.Api.SendAsync(request)).Dispose();

        // The list updates itself as spans arrive.
        await page.Locator($"#traces tr[data-trace='{traceId}']").ClickAsync(new() { Timeout = 60_000 });
        await page.WaitForURLAsync($"**/#/traces/{traceId}");
        var rows = page.Locator("#waterfall .row[data-span]");
        await Assertions.Expect(rows.Filter(new() { HasText = "postgresql" })).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Assertions.Expect(rows.First).ToContainTextAsync("api-proxy");
        await Assertions.Expect(rows.Filter(new() { HasText = "GET /api/contacts/" })).ToContainTextAsync("api-");

        await rows.Filter(new() { HasText = "postgresql" }).ClickAsync();
        await Assertions.Expect(page.Locator("#span-details .sql")).ToContainTextAsync("FROM \"People\"");
        await TestArtifacts.ScreenshotAsync(page, "dashboard-trace");
    }

    [Fact]
    public async Task Console_logs_tail_a_resource_live_and_search_narrows_them()
    {
        var page = await LoggedInPageAsync($"#/console?resource={ResourceNames.Api}");
        await Assertions.Expect(page.Locator("#console .line").First).ToBeVisibleAsync();

        var id = await CreateContactAsync("Console", "Tail");

        var line = page.Locator("#console .line", new() { HasText = $"Created contact {id}" });
        await Assertions.Expect(line).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Assertions.Expect(line.Locator(".src")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^api-[01]$"));
        // The service's own colors come through as styled spans, not escape codes.
        await Assertions.Expect(page.Locator("#console .line .txt span[class^='ansi-']").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#console")).Not.ToContainTextAsync("\u001b[");

        await page.Locator("#console-search").FillAsync($"Created contact {id}");
        await Assertions.Expect(page.Locator("#console .line")).ToHaveCountAsync(1);
        await TestArtifacts.ScreenshotAsync(page, "dashboard-console");
    }

    [Fact]
    public async Task Structured_logs_show_a_record_with_its_attributes_and_a_link_to_its_trace()
    {
        var id = await CreateContactAsync("Structured", "Log");
        var page = await LoggedInPageAsync($"#/logs?resource=api&attribute=ContactId%3D{id}");

        var row = page.Locator("#logs tbody tr", new() { HasText = $"Created contact {id}" });
        await Assertions.Expect(row).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await row.ClickAsync();
        await Assertions.Expect(page.Locator("#log-details")).ToContainTextAsync("ContactId");
        await TestArtifacts.ScreenshotAsync(page, "dashboard-logs");

        await row.Locator("a").ClickAsync();
        await Assertions.Expect(page.Locator("#waterfall .row[data-span]").Filter(new() { HasText = "POST /api/contacts/" })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task The_metrics_page_charts_request_duration_percentiles_and_a_counter_rate()
    {
        for (var i = 0; i < 10; i++)
        {
            (await fixture.Api.GetAsync("/api/contacts?limit=2")).Dispose();
        }

        var page = await LoggedInPageAsync("#/metrics?resource=api&meter=Microsoft.AspNetCore.Hosting&name=http.server.request.duration");
        var lines = page.Locator("#charts svg polyline");
        // A line once a second export has arrived: two points or more. Attached rather than visible, since a steady
        // series is a flat line, whose box has no height.
        await Assertions.Expect(page.Locator("#charts svg polyline[points*=' ']").First).ToBeAttachedAsync(new() { Timeout = 60_000 });
        Assert.True(await lines.CountAsync() >= 3, "p50, p90 and p99 lines");
        await Assertions.Expect(page.Locator("#charts .chart h2").First).ToContainTextAsync("percentiles (s)");
        await TestArtifacts.ScreenshotAsync(page, "dashboard-metrics");

        await page.Locator("#instruments div[data-name='dotnet.gc.heap.total_allocated']").ClickAsync();
        await Assertions.Expect(page.Locator("#charts .chart h2").First).ToContainTextAsync("per second");
    }

    private async Task<IPage> LoggedInPageAsync(string hash)
    {
        var page = await browser.NewPageAsync(1500, 900);
        await page.GotoAsync(fixture.Dashboard.LoginUrl.ToString());
        await page.WaitForURLAsync("**/#/resources");
        await page.GotoAsync(new Uri(fixture.Dashboard.FrontendUrl, "/" + hash).ToString());
        await Assertions.Expect(page.Locator("#live.on")).ToBeAttachedAsync();
        return page;
    }

    private async Task<int> CreateContactAsync(string firstName, string lastName)
    {
        using var created = await fixture.Api.PostAsJsonAsync("/api/contacts", new { firstName, lastName });
        return (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }
}
