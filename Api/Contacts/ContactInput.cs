using AddressBook.Api.PersonFields;

namespace AddressBook.Api.Contacts;

public sealed record ContactInput(string? FirstName, string? LastName) : IPersonFields;
