namespace AddressBook.Api.Data;

public sealed class Person
{
    public int Id { get; set; }

    public required string FirstName { get; set; }

    public string? LastName { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
