extern alias Api;

using System.Text;
using AddressBook.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AddressBook.Tests;

/// <summary>Importing vCard and CSV files from the page, and downloading the exports, in headless Chromium.</summary>
[Collection(AppCollection.Name)]
public sealed class ContactFilesPageTests(AppFixture fixture, BrowserFixture browser)
{
    private const int ImportIndexedLaterFrom = Api::AddressBook.Api.Contacts.ContactImport.IndexedLaterFrom;

    static ContactFilesPageTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task A_csv_file_is_imported_and_its_contacts_listed_then_imported_again_as_merges()
    {
        var name = PageTab.UniqueName();
        var csv = $"First Name,Last Name,Email 1,Tags\r\nAda,Lovelace{name},ada.{name}@example.org,imported\r\nAlan,Turing{name},alan.{name}@example.org,imported\r\n";
        await using var tab = await PageTab.OpenAsync(fixture, browser, fixture.ReadWriteKey, search: name);
        var page = tab.Page;
        var contacts = page.Locator("#contacts > li");
        await Expect(contacts).ToHaveCountAsync(0);

        await ImportAsync(page, "contacts.csv", csv);

        await Expect(page.Locator("#import-status")).ToHaveTextAsync("Imported 2 contacts.");
        await Expect(contacts).ToHaveCountAsync(2);
        await Expect(contacts.First).ToContainTextAsync($"Ada Lovelace{name}");
        await Expect(contacts.First).ToContainTextAsync($"ada.{name}@example.org");
        await TestArtifacts.ScreenshotAsync(page, "page-files-imported");

        // The same file again: every record now has its match, by email.
        await page.GetByLabel("Merge").CheckAsync();
        await ImportAsync(page, "contacts.csv", csv);
        await Expect(page.Locator("#import-status")).ToHaveTextAsync("Imported 0 contacts, merged 2.");
        Assert.Equal(2L, await CountStoredAsync(name));
        tab.AssertNoErrors();
    }

    [Fact]
    public async Task A_large_import_says_its_contacts_are_listed_now_and_found_by_search_once_indexed()
    {
        var name = PageTab.UniqueName();
        var csv = new StringBuilder("First Name,Last Name\r\n");
        for (var i = 0; i < ImportIndexedLaterFrom; i++)
        {
            csv.Append($"Many,Contact{name}{i}\r\n");
        }

        await using var tab = await PageTab.OpenAsync(fixture, browser, fixture.ReadWriteKey);
        var page = tab.Page;
        await Expect(page.Locator("#greeting")).ToContainTextAsync("viewed");
        await page.GetByLabel("Create").CheckAsync();

        await ImportAsync(page, "contacts.csv", csv.ToString());

        await Expect(page.Locator("#import-status")).ToHaveTextAsync(
            $"Imported {ImportIndexedLaterFrom:N0} contacts. They are listed now; search will find them in a minute or two, once they are indexed.");
        Assert.Equal(ImportIndexedLaterFrom, await CountStoredAsync(name));
        tab.AssertNoErrors();
    }

    [Fact]
    public async Task A_file_with_a_bad_record_lists_its_line_and_imports_nothing_at_phone_width()
    {
        var name = PageTab.UniqueName();
        var csv = $"First Name,Last Name,Email 1\r\nAda,Lovelace{name},ada.{name}@example.org\r\nGrace,Hopper{name},not-an-email\r\n";
        await using var tab = await PageTab.OpenAsync(fixture, browser, fixture.ReadWriteKey, width: 375, height: 740);
        var page = tab.Page;
        await Expect(page.Locator("#greeting")).ToContainTextAsync("viewed");

        await ImportAsync(page, "contacts.csv", csv);

        await Expect(page.Locator("#import-status")).ToContainTextAsync("Nothing was imported");
        var problem = page.Locator("#import-problems > li");
        await Expect(problem).ToHaveCountAsync(1);
        await Expect(problem).ToContainTextAsync("Line 3 – emails[0].value: ");
        Assert.Equal(0L, await CountStoredAsync(name));
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        await page.Locator("#import-problems").ScrollIntoViewIfNeededAsync();
        await TestArtifacts.ScreenshotAsync(page, "page-files-problems-phone");
    }

    [Fact]
    public async Task The_exports_download_as_files_holding_an_imported_contact()
    {
        var name = PageTab.UniqueName();
        await using var tab = await PageTab.OpenAsync(fixture, browser, fixture.ReadOnlyKey);
        var page = tab.Page;
        await Expect(page.Locator("#greeting")).ToContainTextAsync("viewed");
        using var file = new StringContent($"First Name,Last Name,Email 1\r\nExported,Contact{name},exported.{name}@example.org\r\n", Encoding.UTF8, "text/csv");
        using (var imported = await fixture.Api.PostAsync("/api/contacts/import", file))
        {
            Assert.True(imported.IsSuccessStatusCode, $"the import: {(int)imported.StatusCode}");
        }

        var csv = await DownloadAsync(page, "Export CSV", "contacts.csv");
        Assert.StartsWith("First Name,Last Name,", csv, StringComparison.Ordinal);
        Assert.Contains($"Exported,Contact{name},", csv, StringComparison.Ordinal);

        var vcard = await DownloadAsync(page, "Export vCard", "contacts.vcf");
        Assert.StartsWith("BEGIN:VCARD", vcard, StringComparison.Ordinal);
        Assert.Contains($"FN:Exported Contact{name}", vcard, StringComparison.Ordinal);
        Assert.Contains($"exported.{name}@example.org", vcard, StringComparison.OrdinalIgnoreCase);
        await Expect(page.Locator("#export-status")).ToHaveTextAsync("Exported every contact to contacts.vcf.");
        await TestArtifacts.ScreenshotAsync(page, "page-files-exported");
        tab.AssertNoErrors();
    }

    private static async Task ImportAsync(IPage page, string fileName, string content)
    {
        await page.GetByLabel("vCard or CSV file").SetInputFilesAsync(new FilePayload
        {
            Name = fileName,
            // As a system without a type for the extension offers it: the page goes by the file's name.
            MimeType = "text/plain",
            Buffer = Encoding.UTF8.GetBytes(content),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();
    }

    private static async Task<string> DownloadAsync(IPage page, string button, string fileName)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync());
        Assert.Equal(fileName, download.SuggestedFilename);
        return await File.ReadAllTextAsync(await download.PathAsync());
    }

    private Task<long> CountStoredAsync(string nameFragment) => Database.ScalarAsync<long>(fixture.ConnectionString,
        """SELECT count(*) FROM "People" WHERE "lastName" LIKE '%' || $1 || '%'""", nameFragment);
}
