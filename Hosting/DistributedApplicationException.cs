namespace AddressBook.Hosting;

/// <summary>
/// A problem the user of the application host can act on, such as a missing prerequisite or a port in use.
/// Its message is shown as it is, on one line, and the app host exits with a non-zero code.
/// </summary>
public sealed class DistributedApplicationException(string message, Exception? innerException = null) : Exception(message, innerException);
