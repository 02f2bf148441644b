namespace AddressBook.Api.Contacts.Interchange;

/// <summary>A problem with a whole file, such as a CSV header without a first-name column: no record can be read.</summary>
public sealed class ContactFileFormatException(int lineNumber, string message) : FormatException(message)
{
    /// <summary>The 1-based line of the file the problem is on.</summary>
    public int LineNumber { get; } = lineNumber;
}
