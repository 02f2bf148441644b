using System.Diagnostics.CodeAnalysis;

namespace AddressBook.Api.Contacts.Interchange;

/// <summary>
/// One record of an imported file: the contact it holds, or why it could not be read. Readers report format errors
/// only; what a contact's values must be is for <see cref="ContactDetails.Validate"/> and the names' validation, whose
/// errors the importer can report at <see cref="LineNumber"/> too.
/// </summary>
public sealed class ContactRecord
{
    private ContactRecord(int lineNumber, ContactInput? contact, string? error)
    {
        LineNumber = lineNumber;
        Contact = contact;
        Error = error;
    }

    /// <summary>The 1-based line of the file where the record starts.</summary>
    public int LineNumber { get; }

    /// <summary>
    /// The contact, when the record could be read. A detail the file does not give is null, as in a request that
    /// leaves it out, so a merge can tell "not given" from "cleared".
    /// </summary>
    public ContactInput? Contact { get; }

    /// <summary>Why the record could not be read, in words for the person who made the file.</summary>
    public string? Error { get; }

    [MemberNotNullWhen(true, nameof(Contact))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsContact => Contact is not null;

    public static ContactRecord Read(int lineNumber, ContactInput contact) => new(lineNumber, contact, null);

    public static ContactRecord Failed(int lineNumber, string error) => new(lineNumber, null, error);

    public override string ToString() => IsContact ? $"line {LineNumber}: {Contact}" : $"line {LineNumber}: {Error}";
}
