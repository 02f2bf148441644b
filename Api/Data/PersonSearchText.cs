namespace AddressBook.Api.Data;

/// <summary>
/// A contact's folded search text (<see cref="ContactSearch"/>), in a table of its own beside "People": a trigger
/// keeps it as every writer writes, and a large import leaves it to <see cref="SearchIndexing"/> after it commits, so
/// the import stores rows at the rate PostgreSQL can copy them rather than at the rate it can index their trigrams.
/// The contact's favourite flag and tags come along, so a search narrowed by them is answered from this table alone.
/// </summary>
public sealed class PersonSearchText
{
    public int Id { get; set; }

    public required string Text { get; set; }

    public bool Favorite { get; set; }

    public List<string> Tags { get; set; } = [];
}
