namespace AddressBook.Api.Data;

public sealed class Person
{
    public int Id { get; set; }

    public required string FirstName { get; set; }

    public string? LastName { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// PostgreSQL's <c>xmin</c>: changes with every write of the row, so it tells two versions apart without a column
    /// of its own that the tutorial's app would have to know about.
    /// </summary>
    public uint Version { get; set; }
}
