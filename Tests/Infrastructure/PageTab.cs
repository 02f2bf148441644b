using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AddressBook.Tests.Infrastructure;

/// <summary>The address book's page in a browser context of its own, with what its console reported.</summary>
public sealed class PageTab : IAsyncDisposable
{
    public const string KeyStorage = "addressbook.apiKey";

    private readonly List<string> _errors = [];

    private PageTab(IPage page, string url)
    {
        Page = page;
        Url = url;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _errors.Add($"{message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => _errors.Add(error);
    }

    public IPage Page { get; }

    public string Url { get; }

    /// <param name="search">What to search for once the page is loaded; the tab is returned once the list shows the answer.</param>
    public static async Task<PageTab> OpenAsync(
        AppFixture fixture, BrowserFixture browser, string? key, int width = 1280, int height = 900, string? search = null)
    {
        var page = await browser.NewPageAsync(width, height);
        if (key is not null)
        {
            await page.Context.AddInitScriptAsync($"sessionStorage.setItem('{KeyStorage}', {JsonSerializer.Serialize(key)})");
        }

        var tab = new PageTab(page, fixture.App.GetEndpoint(ResourceNames.Api).ToString());
        await page.GotoAsync(tab.Url);
        if (search is not null)
        {
            // The page lists contacts once it has counted the view: a search typed before would be listed twice.
            await Expect(page.Locator("#greeting")).ToContainTextAsync("viewed");
            await SearchAsync(page, search);
        }

        return tab;
    }

    /// <summary>
    /// Searches, and waits until the list shows the search's answer: until then the rows are the unsearched list's,
    /// which may hold the same contacts, and a click on one of them is lost when the list is redrawn.
    /// </summary>
    public static async Task SearchAsync(IPage page, string text)
    {
        await page.RunAndWaitForResponseAsync(
            () => page.GetByLabel("Search").FillAsync(text),
            response => response.Url.Contains($"q={Uri.EscapeDataString(text)}", StringComparison.Ordinal));
        await Expect(page.Locator("#list-status")).Not.ToHaveTextAsync("Loading…");
    }

    // Letters only, so that it reads like part of a name.
    public static string UniqueName() => "Q" + string.Concat(Guid.NewGuid().ToString("N")[..8].Select(c => (char)('a' + (c % 26))));

    /// <summary>No script error and no Content-Security-Policy violation; a 401 the page expected is not an error of its own.</summary>
    public void AssertNoErrors()
    {
        var unexpected = _errors.Where(error => !error.Contains("status of 401", StringComparison.Ordinal)).ToList();
        Assert.True(unexpected.Count == 0, string.Join(Environment.NewLine, unexpected));
    }

    public ValueTask DisposeAsync() => new(Page.Context.CloseAsync());
}
