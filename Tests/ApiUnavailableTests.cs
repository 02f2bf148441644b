using System.Net;
using AddressBook.Hosting;
using AddressBook.Hosting.Proxy;
using AddressBook.Hosting.Testing;
using AddressBook.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AddressBook.Tests;

/// <summary>What the endpoint answers while no replica runs: browsers get a page that says so, API clients problem details.</summary>
public sealed class UnavailableEndpointTests : IAsyncLifetime
{
    // What Chromium sends when it navigates.
    private const string BrowserAccept =
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7";

    private readonly int _port = new PortAllocator().AllocateFree();
    private EndpointProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _proxy = new EndpointProxy(ResourceNames.Api, [new ProxyListener(_port)], TimeSpan.FromSeconds(1));
        await _proxy.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _proxy.StopAsync();
        await _proxy.DisposeAsync();
    }

    [Theory]
    [InlineData(BrowserAccept)]
    [InlineData("text/html")]
    [InlineData("application/json;q=0.5, text/html")]
    public async Task A_browser_is_shown_a_page_saying_the_address_book_is_unavailable(string accept)
    {
        using var response = await GetAsync("/", accept);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {response.Headers.RetryAfter}");
        Assert.Contains("Accept", response.Headers.Vary);
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control: {response.Headers.CacheControl}");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>The address book is unavailable</h1>", html, StringComparison.Ordinal);
        Assert.Contains("try again", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"\s(src|on[a-z]+)=", html);
        Assert.DoesNotMatch(@"<link\b", html);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("*/*")]
    [InlineData("application/json")]
    [InlineData("application/problem+json")]
    [InlineData("text/html, application/json")]
    [InlineData("text/html;q=0.5, */*")]
    public async Task An_api_client_keeps_getting_problem_details(string? accept)
    {
        using var response = await GetAsync("/", accept);

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("No replica of 'api' is running", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {response.Headers.RetryAfter}");
        Assert.Contains("Accept", response.Headers.Vary);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? accept)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://localhost:{_port}") };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return await client.SendAsync(request);
    }
}

/// <summary>The page's address while the API is stopped, in a browser: a message, never a blank page.</summary>
[Collection(BrowserCollection.Name)]
public sealed class StoppedApiPageTests(BrowserFixture browser)
{
    [Fact]
    public async Task With_the_api_stopped_the_browser_is_told_the_address_book_is_unavailable()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(["--Replicas:api=1"]);
        await using var app = await builder.BuildAsync();
        await app.StartResourcesAsync(ResourceNames.Api);
        await app.ResourceCommands.ExecuteCommandAsync(ResourceNames.Api, KnownResourceCommands.Stop);
        await app.WaitForStateAsync(ResourceNames.Api, s => s.IsTerminal);

        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => errors.Add(message.Text);
        try
        {
            var response = await page.GotoAsync(app.GetEndpoint(ResourceNames.Api).ToString());

            Assert.Equal((int)HttpStatusCode.ServiceUnavailable, response?.Status);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The address book is unavailable" })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Try again" })).ToBeVisibleAsync();
            // The page's own style applies: its policy allows it by hash, and nothing else.
            await Expect(page.Locator("body")).ToHaveCSSAsync("max-width", "576px");
            Assert.DoesNotContain(errors, error => error.Contains("Content Security Policy", StringComparison.Ordinal));
            await TestArtifacts.ScreenshotAsync(page, "page-api-stopped");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
