namespace AddressBook.Api.Data;

/// <summary>
/// A word some contact's names, company, title or tags hold (folded as the search text is), kept so that a typo is
/// matched against tens of thousands of short words instead of a million contacts' whole search texts.
/// </summary>
public sealed class SearchWord
{
    public required string Word { get; set; }
}
