using System.Net.Http.Json;
using System.Text.RegularExpressions;
using AddressBook.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AddressBook.Tests;

/// <summary>The address book's page in headless Chromium, against the whole app.</summary>
[Collection(AppCollection.Name)]
public sealed partial class ContactsPageTests(AppFixture fixture, BrowserFixture browser)
{
    static ContactsPageTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task The_page_asks_for_a_key_once_and_keeps_it_for_the_tab()
    {
        await using var tab = await OpenAsync(key: null);
        var page = tab.Page;

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Enter an API key" })).ToBeVisibleAsync();
        await Expect(page.Locator("#key-reason")).ToHaveTextAsync("This address book needs a key.");
        await TestArtifacts.ScreenshotAsync(page, "page-key-prompt");

        await page.GetByLabel("API key", new() { Exact = true }).FillAsync("not-a-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Use this key" }).ClickAsync();
        await Expect(page.Locator("#key-reason")).ToContainTextAsync("not accepted");

        await page.GetByLabel("API key", new() { Exact = true }).FillAsync(fixture.ReadWriteKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use this key" }).ClickAsync();
        await Expect(page.Locator("#key-panel")).ToBeHiddenAsync();
        await Expect(page.Locator("#greeting")).ToContainTextAsync("viewed");
        await TestArtifacts.ScreenshotAsync(page, "page-after-key");

        await page.ReloadAsync();
        await Expect(page.Locator("#greeting")).ToContainTextAsync("viewed");
        await Expect(page.Locator("#key-panel")).ToBeHiddenAsync();
        Assert.Equal(fixture.ReadWriteKey, await page.EvaluateAsync<string>($"sessionStorage.getItem('{PageTab.KeyStorage}')"));
        tab.AssertNoErrors();
    }

    [Fact]
    public async Task Each_load_counts_one_view_and_shows_the_count()
    {
        await using var tab = await OpenAsync(fixture.ReadOnlyKey);

        var first = await ViewsShownAsync(tab.Page);
        await tab.Page.ReloadAsync();
        var second = await ViewsShownAsync(tab.Page);

        Assert.Equal(first + 1, second);
        Assert.Equal(second, await Database.ScalarAsync<long>(fixture.ConnectionString, """SELECT views FROM "PageViews" """));
        tab.AssertNoErrors();
    }

    [Fact]
    public async Task A_contact_is_added_found_edited_and_deleted()
    {
        var tag = UniqueName();
        var other = await ContactsApi.CreateAsync(fixture.Api, "Charles", "Babbage");
        await using var tab = await OpenAsync(fixture.ReadWriteKey);
        var page = tab.Page;

        await page.GetByLabel("First name").FillAsync("Ada");
        await page.GetByLabel("Last name").FillAsync($"Lovelace{tag}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add contact" }).ClickAsync();
        await Expect(page.Locator("#list-status")).ToHaveTextAsync($"Added Ada Lovelace{tag}.");
        Assert.Equal(1L, await CountStoredAsync($"Lovelace{tag}"));
        await TestArtifacts.ScreenshotAsync(page, "page-added");

        await page.GetByLabel("Search").FillAsync(tag.ToLowerInvariant());
        var contacts = page.Locator("#contacts > li");
        await Expect(contacts).ToHaveCountAsync(1);
        await Expect(contacts.First).ToContainTextAsync($"Ada Lovelace{tag}");
        await Expect(page.Locator($"#contacts > li[data-id='{other.Id}']")).ToHaveCountAsync(0);
        await TestArtifacts.ScreenshotAsync(page, "page-search");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Edit Ada Lovelace{tag}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Edit Ada Lovelace{tag}" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Last name")).ToHaveValueAsync($"Lovelace{tag}");
        await page.GetByLabel("Last name").FillAsync($"King{tag}");
        await TestArtifacts.ScreenshotAsync(page, "page-editing");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("#list-status")).ToHaveTextAsync($"Saved Ada King{tag}.");
        await Expect(contacts.First).ToContainTextAsync($"Ada King{tag}");
        Assert.Equal(1L, await CountStoredAsync($"King{tag}"));

        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete Ada King{tag}" }).ClickAsync();
        await Expect(page.GetByText($"Delete Ada King{tag}?")).ToBeVisibleAsync();
        await TestArtifacts.ScreenshotAsync(page, "page-confirm-delete");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Yes, delete Ada King{tag}" }).ClickAsync();
        await Expect(contacts).ToHaveCountAsync(0);
        await Expect(page.Locator("#empty")).ToHaveTextAsync($"No contacts match “{tag.ToLowerInvariant()}”.");
        Assert.Equal(0L, await CountStoredAsync(tag));
        await TestArtifacts.ScreenshotAsync(page, "page-deleted");
        tab.AssertNoErrors();
    }

    [Fact]
    public async Task Keep_cancels_a_delete()
    {
        var tag = UniqueName();
        await ContactsApi.CreateAsync(fixture.Api, "Kept", tag);
        await using var tab = await OpenAsync(fixture.ReadWriteKey, search: tag);
        var page = tab.Page;

        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete Kept {tag}" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Keep Kept {tag}" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Delete Kept {tag}" })).ToBeFocusedAsync();
        Assert.Equal(1L, await CountStoredAsync(tag));
    }

    [Fact]
    public async Task A_validation_error_from_the_api_shows_next_to_its_field()
    {
        var tag = UniqueName();
        await using var tab = await OpenAsync(fixture.ReadWriteKey);
        var page = tab.Page;
        await Expect(page.Locator("#greeting")).ToContainTextAsync("viewed");

        await page.GetByLabel("Last name").FillAsync(tag);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add contact" }).ClickAsync();

        var firstName = page.GetByLabel("First name");
        await Expect(page.Locator("#first-name-error")).ToContainTextAsync("first name is required");
        await Expect(firstName).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(firstName).ToBeFocusedAsync();
        await Expect(page.Locator("#last-name-error")).ToBeEmptyAsync();
        Assert.Equal(0L, await CountStoredAsync(tag));
        await TestArtifacts.ScreenshotAsync(page, "page-validation-error");

        await firstName.FillAsync("Valid");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add contact" }).ClickAsync();
        await Expect(page.Locator("#first-name-error")).ToBeEmptyAsync();
        await Expect(page.Locator("#list-status")).ToHaveTextAsync($"Added Valid {tag}.");
    }

    [Fact]
    public async Task When_the_api_cannot_be_reached_the_page_says_so_and_recovers()
    {
        await using var tab = await OpenAsync(fixture.ReadWriteKey);
        var page = tab.Page;
        await page.RouteAsync("**/api/**", route => route.AbortAsync("connectionrefused"));

        await page.GotoAsync(tab.Url);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Address book" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "cannot be reached" })).ToBeVisibleAsync();
        await Expect(page.Locator("#greeting")).ToHaveTextAsync("Hello!");
        await TestArtifacts.ScreenshotAsync(page, "page-api-down");

        await page.UnrouteAllAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Try again" }).ClickAsync();
        await Expect(page.Locator("#status")).ToBeHiddenAsync();
        await Expect(page.Locator("#greeting")).ToContainTextAsync("viewed");

        await page.RouteAsync("**/api/contacts**", route => route.AbortAsync("connectionrefused"));
        await page.GetByLabel("Search").FillAsync("anyone");
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "cannot be reached" })).ToBeVisibleAsync();
        await Expect(page.Locator("#list-status")).ToHaveTextAsync("The contacts could not be loaded.");
    }

    [Fact]
    public async Task An_error_answer_from_the_api_is_shown_with_its_detail()
    {
        await using var tab = await OpenAsync(fixture.ReadWriteKey);
        var page = tab.Page;
        await page.RouteAsync(new Regex(@"/api/contacts\?"), route => route.FulfillAsync(new()
        {
            Status = 503,
            ContentType = "application/problem+json",
            Body = """{"title":"Service Unavailable","status":503,"detail":"The database is unavailable. Retry later."}""",
        }));

        await page.GotoAsync(tab.Url);

        await Expect(page.Locator("#status")).ToContainTextAsync("(503): The database is unavailable. Retry later.");
        await TestArtifacts.ScreenshotAsync(page, "page-api-error");
    }

    [Fact]
    public async Task A_read_only_key_browses_and_is_told_it_cannot_change_anything()
    {
        var tag = UniqueName();
        await using var tab = await OpenAsync(fixture.ReadOnlyKey);
        var page = tab.Page;
        await Expect(page.Locator("#greeting")).ToContainTextAsync("viewed");

        await page.GetByLabel("First name").FillAsync("Reader");
        await page.GetByLabel("Last name").FillAsync(tag);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add contact" }).ClickAsync();

        await Expect(page.Locator("#editor-error")).ToContainTextAsync("can only read");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Change API key" })).ToBeVisibleAsync();
        Assert.Equal(0L, await CountStoredAsync(tag));
        await TestArtifacts.ScreenshotAsync(page, "page-read-only-key");
    }

    [Fact]
    public async Task An_edit_that_lost_a_race_is_told_so_and_shown_the_newer_version()
    {
        var tag = UniqueName();
        var contact = await ContactsApi.CreateAsync(fixture.Api, "Raced", tag);
        await using var tab = await OpenAsync(fixture.ReadWriteKey, search: tag);
        var page = tab.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = $"Edit Raced {tag}" }).ClickAsync();
        await Expect(page.GetByLabel("First name")).ToHaveValueAsync("Raced");

        await ChangeElsewhereAsync(contact.Id, "Raced", $"{tag}Other");
        await page.GetByLabel("Last name").FillAsync($"{tag}Mine");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        await Expect(page.Locator("#editor-error")).ToContainTextAsync("Someone else changed this contact");
        await Expect(page.GetByLabel("Last name")).ToHaveValueAsync($"{tag}Other");
        await Expect(page.Locator("#contacts > li").First).ToContainTextAsync($"Raced {tag}Other");
        Assert.Equal(1L, await CountStoredAsync($"{tag}Other"));
        await TestArtifacts.ScreenshotAsync(page, "page-edit-conflict");
    }

    [Fact]
    public async Task A_delete_that_lost_a_race_keeps_the_contact_and_shows_the_newer_version()
    {
        var tag = UniqueName();
        var contact = await ContactsApi.CreateAsync(fixture.Api, "Doomed", tag);
        await using var tab = await OpenAsync(fixture.ReadWriteKey, search: tag);
        var page = tab.Page;

        // The question names the version read when it is asked, not the one listed before.
        await ChangeElsewhereAsync(contact.Id, "Doomed", $"{tag}Renamed");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete Doomed {tag}" }).ClickAsync();
        await Expect(page.GetByText($"Delete Doomed {tag}Renamed?")).ToBeVisibleAsync();

        await ChangeElsewhereAsync(contact.Id, "Doomed", $"{tag}Other");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Yes, delete Doomed {tag}Renamed" }).ClickAsync();

        await Expect(page.Locator("#list-status")).ToContainTextAsync($"Someone else changed Doomed {tag}Renamed before it was deleted");
        await Expect(page.Locator($"#contacts > li[data-id='{contact.Id}']")).ToContainTextAsync($"Doomed {tag}Other");
        var deleteNewer = page.GetByRole(AriaRole.Button, new() { Name = $"Delete Doomed {tag}Other" });
        await Expect(deleteNewer).ToBeFocusedAsync();
        Assert.Equal(1L, await CountStoredAsync($"{tag}Other"));
        await TestArtifacts.ScreenshotAsync(page, "page-delete-conflict");

        // Seen, the newer version is the one the next confirmation deletes.
        await deleteNewer.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Yes, delete Doomed {tag}Other" }).ClickAsync();
        await Expect(page.Locator("#list-status")).ToHaveTextAsync($"Deleted Doomed {tag}Other.");
        Assert.Equal(0L, await CountStoredAsync(tag));
    }

    [Fact]
    public async Task Scrolling_down_loads_the_next_page()
    {
        var tag = UniqueName();
        for (var i = 0; i < 35; i++)
        {
            await ContactsApi.CreateAsync(fixture.Api, $"Scroll{i:00}", tag);
        }

        await using var tab = await OpenAsync(fixture.ReadOnlyKey);
        var page = tab.Page;
        await page.GetByLabel("Sort").SelectOptionAsync("newest");
        // Unsearched, the newest 30 are these contacts too: only the searched page's answer tells the two lists apart.
        await page.RunAndWaitForResponseAsync(
            () => page.GetByLabel("Search").FillAsync(tag),
            response => response.Url.Contains($"q={tag}", StringComparison.Ordinal) && !response.Url.Contains("cursor=", StringComparison.Ordinal));
        var contacts = page.Locator("#contacts > li");
        await Expect(contacts).ToHaveCountAsync(30);
        await Expect(contacts.First).ToContainTextAsync("Scroll34");

        await page.Locator("#sentinel").ScrollIntoViewIfNeededAsync();

        await Expect(contacts).ToHaveCountAsync(35);
        await Expect(contacts.Last).ToContainTextAsync("Scroll00");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Load more" })).ToBeHiddenAsync();
    }

    [Fact]
    public async Task The_page_fits_a_phone_screen()
    {
        await ContactsApi.CreateAsync(fixture.Api, "Pocket", "Sized");
        await using var tab = await OpenAsync(fixture.ReadWriteKey, width: 375, height: 740);
        var page = tab.Page;
        await Expect(page.Locator("#greeting")).ToContainTextAsync("viewed");
        await Expect(page.Locator("#contacts > li").First).ToBeVisibleAsync();

        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        await TestArtifacts.ScreenshotAsync(page, "page-phone");
        tab.AssertNoErrors();
    }

    private Task<PageTab> OpenAsync(string? key, int width = 1280, int height = 900, string? search = null) =>
        PageTab.OpenAsync(fixture, browser, key, width, height, search);

    private static async Task<long> ViewsShownAsync(IPage page)
    {
        var greeting = page.Locator("#greeting");
        await Expect(greeting).ToContainTextAsync("viewed");
        var match = ViewCount().Match(await greeting.InnerTextAsync());
        Assert.True(match.Success, await greeting.InnerTextAsync());
        return match.Groups["count"].Value == "once" ? 1 : long.Parse(match.Groups["count"].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Another editor saves a change to the contact, through the API.</summary>
    private async Task ChangeElsewhereAsync(int id, string firstName, string lastName)
    {
        using var response = await fixture.Api.PutAsJsonAsync($"/api/contacts/{id}", new { firstName, lastName });
        Assert.True(response.IsSuccessStatusCode, $"the other editor's save: {(int)response.StatusCode}");
    }

    private Task<long> CountStoredAsync(string nameFragment) => Database.ScalarAsync<long>(fixture.ConnectionString,
        """SELECT count(*) FROM "People" WHERE "firstName" || ' ' || coalesce("lastName", '') LIKE '%' || $1 || '%'""", nameFragment);

    private static string UniqueName() => PageTab.UniqueName();

    [GeneratedRegex(@"viewed (?<count>once|[\d,]+)")]
    private static partial Regex ViewCount();
}
