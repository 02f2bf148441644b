using AddressBook.Api.Data;
using AddressBook.Api.PersonFields;

namespace AddressBook.Api.Contacts;

/// <summary>
/// A contact as clients send it. The details are optional: left out of a POST they are empty; left out of a PUT
/// they keep their stored values, so a client that knows only the names (the tutorial's) never erases the rest.
/// An empty string or list clears a detail. The birthday is an ISO 8601 date, such as 1815-12-10.
/// </summary>
public sealed record ContactInput(
    string? FirstName,
    string? LastName,
    string? Company = null,
    string? Title = null,
    string? Birthday = null,
    string? Notes = null,
    bool? Favorite = null,
    IReadOnlyList<string>? Tags = null,
    IReadOnlyList<LabelledValue>? Emails = null,
    IReadOnlyList<LabelledValue>? Phones = null,
    IReadOnlyList<PostalAddress>? Addresses = null) : IPersonFields;
