using System.Linq.Expressions;
using AddressBook.Api.Data;

namespace AddressBook.Api.Contacts;

public sealed record ContactDto(
    int Id,
    string FirstName,
    string? LastName,
    string? Company,
    string? Title,
    DateOnly? Birthday,
    string? Notes,
    bool Favorite,
    IReadOnlyList<string> Tags,
    IReadOnlyList<LabelledValue> Emails,
    IReadOnlyList<LabelledValue> Phones,
    IReadOnlyList<PostalAddress> Addresses,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// One page of contacts; <see cref="NextCursor"/> is null on the last page. <see cref="Total"/> comes with the first page
/// only: later pages would pay for it again to say the same.
/// </summary>
public sealed record ContactPage(IReadOnlyList<ContactDto> Items, string? NextCursor, ContactCount? Total);

public static class ContactMapping
{
    /// <summary>As an expression, so queries read exactly these columns.</summary>
    public static readonly Expression<Func<Person, ContactDto>> ToContactDtoExpression = person => new ContactDto(
        person.Id,
        person.FirstName,
        person.LastName,
        person.Company,
        person.Title,
        person.Birthday,
        person.Notes,
        person.Favorite,
        person.Tags,
        person.Emails,
        person.Phones,
        person.Addresses,
        person.CreatedAt,
        person.UpdatedAt);

    private static readonly Func<Person, ContactDto> ToContactDtoFunction = ToContactDtoExpression.Compile();

    public static ContactDto ToContactDto(this Person person) => ToContactDtoFunction(person);

    public static IQueryable<ContactDto> SelectContactDtos(this IQueryable<Person> people) => people.Select(ToContactDtoExpression);
}
