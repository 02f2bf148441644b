namespace AddressBook.Api.Data;

/// <summary>How many times a page was loaded.</summary>
public sealed class PageViewCounter
{
    public required string Page { get; set; }

    public long Views { get; set; }
}
