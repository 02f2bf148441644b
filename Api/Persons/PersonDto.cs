using AddressBook.Api.Data;

namespace AddressBook.Api.Persons;

/// <summary>A person as the tutorial's API returned it: the row's columns, named as in the table.</summary>
public sealed record PersonDto(int Id, string FirstName, string? LastName, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record DeletedPersonDto(int Id);

public static class PersonMapping
{
    public static PersonDto ToPersonDto(this Person person) =>
        new(person.Id, person.FirstName, person.LastName, person.CreatedAt, person.UpdatedAt);
}
