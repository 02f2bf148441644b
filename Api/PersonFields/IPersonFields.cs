namespace AddressBook.Api.PersonFields;

/// <summary>
/// What a client sends for a person, whichever route group it calls. <see cref="PersonFieldsValidation"/> holds the
/// rules for both groups, so the tutorial's contract and the REST resource can never disagree on what is valid.
/// </summary>
public interface IPersonFields
{
    string? FirstName { get; }

    string? LastName { get; }

    /// <summary>The id the client asks for; only the tutorial's contract lets a client choose one.</summary>
    int? Id => null;
}
