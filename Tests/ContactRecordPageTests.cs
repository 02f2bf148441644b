using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AddressBook.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AddressBook.Tests;

/// <summary>Full contact records on the page: every detail added, listed, shown, edited, filtered and searched.</summary>
[Collection(AppCollection.Name)]
public sealed class ContactRecordPageTests(AppFixture fixture, BrowserFixture browser)
{
    static ContactRecordPageTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task A_contact_with_every_detail_is_added_with_the_form_then_listed_and_shown_in_full()
    {
        var name = PageTab.UniqueName();
        var tag = name.ToLowerInvariant();
        await using var tab = await OpenAsync(fixture.ReadWriteKey);
        var page = tab.Page;
        var editor = page.Locator("#editor");
        await Expect(page.Locator("#greeting")).ToContainTextAsync("viewed");

        await Field(editor, "First name").FillAsync("Grace");
        await Field(editor, "Last name").FillAsync($"Hopper{name}");
        await Field(editor, "Company").FillAsync("Remington Rand");
        await Field(editor, "Title").FillAsync("Rear Admiral");
        await Field(editor, "Birthday").FillAsync("1906-12-09");
        await Field(editor, "Tags").FillAsync($"{tag}, navy ,");
        await Field(editor, "Favourite").CheckAsync();
        await Field(editor, "Notes").FillAsync("Wrote the first compiler.\nFound the moth.");
        await AddEntryAsync(page, "email", ("Email 1", "grace@example.org"), ("Email 1 label", "work"));
        await AddEntryAsync(page, "email", ("Email 2", "amazing@home.example"));
        await AddEntryAsync(page, "phone", ("Phone 1", "+1 555 0100"), ("Phone 1 label", "mobile"));
        await AddEntryAsync(page, "phone", ("Phone 2", "+1 555 0199 x12"));
        await AddEntryAsync(page, "address",
            ("Address 1 street", "1 Navy Way"), ("Address 1 city", "Arlington"), ("Address 1 region", "VA"),
            ("Address 1 postal code", "22202"), ("Address 1 country", "USA"), ("Address 1 label", "office"));
        // Left blank, a row is not sent.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add phone" }).ClickAsync();
        await TestArtifacts.ScreenshotAsync(page, "page-record-form");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add contact" }).ClickAsync();
        await Expect(page.Locator("#list-status")).ToHaveTextAsync($"Added Grace Hopper{name}.");

        var stored = Assert.Single(await ListAsync($"q={name}"));
        Assert.Equal(("Remington Rand", "Rear Admiral", "1906-12-09", true),
            (stored.GetProperty("company").GetString(), stored.GetProperty("title").GetString(), stored.GetProperty("birthday").GetString(), stored.GetProperty("favorite").GetBoolean()));
        Assert.Equal("Wrote the first compiler.\nFound the moth.", stored.GetProperty("notes").GetString());
        Assert.Equal([tag, "navy"], stored.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["work:grace@example.org", ":amazing@home.example"], Labelled(stored.GetProperty("emails")));
        Assert.Equal(["mobile:+1 555 0100", ":+1 555 0199 x12"], Labelled(stored.GetProperty("phones")));
        var address = Assert.Single(stored.GetProperty("addresses").EnumerateArray());
        Assert.Equal("office|1 Navy Way|Arlington|VA|22202|USA", string.Join('|',
            new[] { "label", "street", "locality", "region", "postalCode", "country" }.Select(part => address.GetProperty(part).GetString())));

        await PageTab.SearchAsync(page, name);
        var row = page.Locator("#contacts > li");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("Rear Admiral, Remington Rand");
        await Expect(row).ToContainTextAsync("grace@example.org · +1 555 0100");
        await Expect(row.GetByRole(AriaRole.Img, new() { Name = "Favourite" })).ToBeVisibleAsync();
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = $"Show contacts tagged {tag}" })).ToBeVisibleAsync();
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Show contacts tagged navy" })).ToBeVisibleAsync();

        var toggle = row.GetByRole(AriaRole.Button, new() { Name = $"Details of Grace Hopper{name}" });
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        var details = row.Locator(".contact-details");
        await Expect(details).ToBeVisibleAsync();
        await Expect(details).ToContainTextAsync("1906");
        await Expect(details).ToContainTextAsync("amazing@home.example");
        await Expect(details.GetByRole(AriaRole.Link, new() { Name = "grace@example.org" })).ToHaveAttributeAsync("href", "mailto:grace@example.org");
        await Expect(details.GetByRole(AriaRole.Link, new() { Name = "+1 555 0100" })).ToHaveAttributeAsync("href", "tel:+15550100");
        // An extension is dialled after the number (RFC 3966), not run into it.
        await Expect(details.GetByRole(AriaRole.Link, new() { Name = "+1 555 0199 x12" })).ToHaveAttributeAsync("href", "tel:+15550199;ext=12");
        Assert.Equal("office: 1 Navy Way\nArlington, VA, 22202\nUSA", await details.Locator("dt:text-is('Address') + dd").InnerTextAsync());
        // innerText follows the CSS: the line breaks are kept only if they are shown.
        Assert.Equal("Wrote the first compiler.\nFound the moth.", await details.Locator("dt:text-is('Notes') + dd").InnerTextAsync());
        await TestArtifacts.ScreenshotAsync(page, "page-record-details");

        await toggle.ClickAsync();
        await Expect(details).ToBeHiddenAsync();
        tab.AssertNoErrors();
    }

    [Fact]
    public async Task Editing_changes_an_email_row_removes_a_phone_row_and_clears_a_field()
    {
        var name = PageTab.UniqueName();
        var id = await CreateAsync(new
        {
            firstName = "Edna",
            lastName = name,
            company = "Old Company",
            tags = new[] { "kept", @"Smith, Jones\family" },
            emails = new[] { new { label = "work", value = "edna@work.example" }, new { label = "home", value = "edna@old.example" } },
            phones = new[] { new { label = "desk", value = "555 0101" }, new { label = "mobile", value = "555 0102" } },
        });
        await using var tab = await OpenAsync(fixture.ReadWriteKey, search: name);
        var page = tab.Page;
        var editor = page.Locator("#editor");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Edit Edna {name}" }).ClickAsync();
        await Expect(Entry(editor, "Email 2")).ToHaveValueAsync("edna@old.example");
        await Expect(Field(editor, "Company")).ToHaveValueAsync("Old Company");
        // A tag's own comma and backslash are escaped, as in CSV files, so the form hands the tag back whole.
        await Expect(Field(editor, "Tags")).ToHaveValueAsync(@"kept, Smith\, Jones\\family");

        await Entry(editor, "Email 2").FillAsync("edna@new.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove phone 1", Exact = true }).ClickAsync();
        // The row below moves up and is renumbered; focus stays where the removed row was.
        await Expect(Entry(editor, "Phone 1")).ToHaveValueAsync("555 0102");
        await Expect(Entry(editor, "Phone 1")).ToBeFocusedAsync();
        await Expect(Entry(editor, "Phone 1 label")).ToHaveValueAsync("mobile");
        await Expect(Entry(editor, "Phone 2")).ToHaveCountAsync(0);
        await Field(editor, "Company").FillAsync("");
        await TestArtifacts.ScreenshotAsync(page, "page-record-editing");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("#list-status")).ToHaveTextAsync($"Saved Edna {name}.");

        var stored = await fixture.Api.GetFromJsonAsync<JsonElement>($"/api/contacts/{id}");
        Assert.Equal(["work:edna@work.example", "home:edna@new.example"], Labelled(stored.GetProperty("emails")));
        Assert.Equal(["mobile:555 0102"], Labelled(stored.GetProperty("phones")));
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("company").ValueKind);
        Assert.Equal(["kept", @"Smith, Jones\family"], stored.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        await Expect(page.Locator("#contacts > li")).ToContainTextAsync("edna@work.example · 555 0102");
        tab.AssertNoErrors();
    }

    [Fact]
    public async Task A_bad_email_row_is_marked_next_to_that_row_and_focused_first()
    {
        var name = PageTab.UniqueName();
        await using var tab = await OpenAsync(fixture.ReadWriteKey);
        var page = tab.Page;
        var editor = page.Locator("#editor");
        await Expect(page.Locator("#greeting")).ToContainTextAsync("viewed");

        await Field(editor, "First name").FillAsync("Wrong");
        await Field(editor, "Last name").FillAsync(name);
        await AddEntryAsync(page, "email", ("Email 1", "right@example.org"));
        await AddEntryAsync(page, "email", ("Email 2", "not-an-address"));
        await AddEntryAsync(page, "phone", ("Phone 1", "call me"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Add contact" }).ClickAsync();

        // Both rows are marked; the one higher up the form has the focus.
        var badEmail = Entry(editor, "Email 2");
        await Expect(page.Locator("#emails-1-value-error")).ToContainTextAsync("looks like name@example.org");
        await Expect(badEmail).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(badEmail).ToBeFocusedAsync();
        await Expect(page.Locator("#phones-0-value-error")).ToContainTextAsync("A phone number has digits");
        await Expect(page.Locator("#emails-0-value-error")).ToBeEmptyAsync();
        await Expect(Entry(editor, "Email 1")).Not.ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Empty(await ListAsync($"q={name}"));
        await TestArtifacts.ScreenshotAsync(page, "page-record-validation");

        await badEmail.FillAsync("right@example.net");
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove phone 1", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add contact" }).ClickAsync();
        await Expect(page.Locator("#list-status")).ToHaveTextAsync($"Added Wrong {name}.");
        await Expect(page.Locator("#emails-1-value-error")).ToHaveCountAsync(0);
        Assert.Single(await ListAsync($"q={name}"));
    }

    [Fact]
    public async Task A_tag_chip_and_the_favourites_box_filter_the_list()
    {
        var name = PageTab.UniqueName();
        var tag = $"{name.ToLowerInvariant()}-team";
        var lovedAndTagged = await CreateAsync(new { firstName = "Loved", lastName = name, favorite = true, tags = new[] { tag } });
        var tagged = await CreateAsync(new { firstName = "Plain", lastName = name, tags = new[] { "other", tag } });
        var loved = await CreateAsync(new { firstName = "Adored", lastName = name, favorite = true });
        await using var tab = await OpenAsync(fixture.ReadWriteKey, search: name);
        var page = tab.Page;
        var rows = page.Locator("#contacts > li");
        await Expect(rows).ToHaveCountAsync(3);

        await page.RunAndWaitForResponseAsync(
            () => Row(page, lovedAndTagged).GetByRole(AriaRole.Button, new() { Name = $"Show contacts tagged {tag}" }).ClickAsync(),
            response => response.Url.Contains($"tag={tag}", StringComparison.Ordinal));
        await Expect(page.Locator("#tag-filter")).ToContainTextAsync($"Tagged {tag}");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(Row(page, tagged)).ToBeVisibleAsync();
        await Expect(Row(page, lovedAndTagged).GetByRole(AriaRole.Button, new() { Name = $"Show contacts tagged {tag}" }))
            .ToHaveAttributeAsync("aria-pressed", "true");

        await page.GetByLabel("Favourites only").CheckAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(Row(page, lovedAndTagged)).ToBeVisibleAsync();
        await TestArtifacts.ScreenshotAsync(page, "page-record-filtered");

        await page.GetByRole(AriaRole.Button, new() { Name = "Show every tag" }).ClickAsync();
        await Expect(page.Locator("#tag-filter")).ToBeHiddenAsync();
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(Row(page, loved)).ToBeVisibleAsync();

        await PageTab.SearchAsync(page, $"{name}nobody");
        await Expect(page.Locator("#empty")).ToHaveTextAsync($"No favourite contacts match “{name}nobody”.");

        await page.GetByLabel("Favourites only").UncheckAsync();
        await PageTab.SearchAsync(page, name);
        await Expect(rows).ToHaveCountAsync(3);
        tab.AssertNoErrors();
    }

    [Fact]
    public async Task Search_finds_a_contact_by_part_of_an_email_address()
    {
        var name = PageTab.UniqueName();
        var fragment = name.ToLowerInvariant();
        var id = await CreateAsync(new { firstName = "Mailed", emails = new[] { new { value = $"grace.{fragment}@navy.example" } } });
        await using var tab = await OpenAsync(fixture.ReadOnlyKey, search: $"{fragment}@nav");
        var rows = tab.Page.Locator("#contacts > li");

        await Expect(rows).ToHaveCountAsync(1);
        await Expect(Row(tab.Page, id)).ToContainTextAsync($"grace.{fragment}@navy.example");
    }

    [Fact]
    public async Task A_full_record_fits_a_phone_screen()
    {
        var name = PageTab.UniqueName();
        await CreateAsync(new
        {
            firstName = "Pocket",
            lastName = $"Record{name}",
            company = "A Company With A Rather Long Name Incorporated",
            title = "Head of Everything",
            birthday = "1970-01-01",
            notes = "A note long enough to wrap on a narrow screen, and a second line.\nThe second line.",
            favorite = true,
            tags = new[] { "one", "two", "a-tag-that-is-rather-long-indeed" },
            emails = new[] { new { label = "work", value = "someone.with.a.long.address@subdomain.example.org" } },
            phones = new[] { new { label = "mobile", value = "+44 (20) 7946-0958" } },
            addresses = new[] { new { label = "home", street = "221B Baker Street", locality = "London", postalCode = "NW1 6XE", country = "United Kingdom" } },
        });
        await using var tab = await OpenAsync(fixture.ReadWriteKey, width: 375, height: 740, search: name);
        var page = tab.Page;

        await page.GetByRole(AriaRole.Button, new() { Name = $"Details of Pocket Record{name}" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add address" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add email" }).ClickAsync();
        await Expect(page.Locator(".contact-details")).ToBeVisibleAsync();

        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        await TestArtifacts.ScreenshotAsync(page, "page-record-phone");
        tab.AssertNoErrors();
    }

    private Task<PageTab> OpenAsync(string? key, int width = 1280, int height = 900, string? search = null) =>
        PageTab.OpenAsync(fixture, browser, key, width, height, search);

    private static ILocator Field(ILocator editor, string label) => editor.GetByLabel(label);

    // Exact: "Email 1" is also the start of "Email 1 label".
    private static ILocator Entry(ILocator editor, string label) => editor.GetByLabel(label, new() { Exact = true });

    private static ILocator Row(IPage page, int id) => page.Locator($"#contacts > li[data-id='{id}']");

    /// <summary>Adds a row of a repeatable detail with the button below its rows, and fills it in.</summary>
    private static async Task AddEntryAsync(IPage page, string noun, params (string Label, string Value)[] fields)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = $"Add {noun}" }).ClickAsync();
        foreach (var (label, value) in fields)
        {
            await Entry(page.Locator("#editor"), label).FillAsync(value);
        }
    }

    private async Task<int> CreateAsync(object contact)
    {
        using var response = await fixture.Api.PostAsJsonAsync("/api/contacts", contact);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private async Task<List<JsonElement>> ListAsync(string query)
    {
        var page = await fixture.Api.GetFromJsonAsync<JsonElement>($"/api/contacts?limit=200&{query}");
        return [.. page.GetProperty("items").EnumerateArray()];
    }

    private static IEnumerable<string> Labelled(JsonElement values) =>
        values.EnumerateArray().Select(v => $"{v.GetProperty("label").GetString()}:{v.GetProperty("value").GetString()}");
}
