using AddressBook.Api.Data;

namespace AddressBook.Api.PersonFields;

public static class PersonFieldsMapping
{
    public static Person ToNewPerson(this IPersonFields fields, DateTimeOffset now) => new()
    {
        // The route groups' validation filter has rejected a missing first name before any handler runs.
        FirstName = fields.FirstName!,
        LastName = fields.LastName,
        CreatedAt = now,
        UpdatedAt = now,
    };
}
