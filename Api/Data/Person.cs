namespace AddressBook.Api.Data;

public sealed class Person
{
    public int Id { get; set; }

    public required string FirstName { get; set; }

    public string? LastName { get; set; }

    public string? Company { get; set; }

    public string? Title { get; set; }

    public DateOnly? Birthday { get; set; }

    public string? Notes { get; set; }

    public bool Favorite { get; set; }

    public List<string> Tags { get; set; } = [];

    public List<LabelledValue> Emails { get; set; } = [];

    public List<LabelledValue> Phones { get; set; } = [];

    public List<PostalAddress> Addresses { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// PostgreSQL's <c>xmin</c>: changes with every write of the row, so it tells two versions apart without a column
    /// of its own that the tutorial's app would have to know about.
    /// </summary>
    public uint Version { get; set; }
}
