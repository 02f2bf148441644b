using AddressBook.Api.Data;

namespace AddressBook.Api.Contacts;

public sealed record ContactDto(int Id, string FirstName, string? LastName, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>One page of contacts; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record ContactPage(IReadOnlyList<ContactDto> Items, string? NextCursor);

public static class ContactMapping
{
    public static ContactDto ToContactDto(this Person person) =>
        new(person.Id, person.FirstName, person.LastName, person.CreatedAt, person.UpdatedAt);
}
