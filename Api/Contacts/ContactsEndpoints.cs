using AddressBook.Api.Data;
using AddressBook.Api.PersonFields;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AddressBook.Api.Contacts;

/// <summary>The address book as a REST resource, over the same table as the tutorial's API.</summary>
public static class ContactsEndpoints
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    private const string ContactsPath = "/api/contacts";

    private static readonly Func<AddressBookDbContext, int, CancellationToken, Task<ContactDto?>> FindContactAsync =
        EF.CompileAsyncQuery((AddressBookDbContext db, int id, CancellationToken _) =>
            db.People.AsNoTracking().Where(person => person.Id == id).Select(person => person.ToContactDto()).FirstOrDefault());

    public static RouteGroupBuilder MapContacts(this IEndpointRouteBuilder endpoints)
    {
        var contacts = endpoints.MapGroup(ContactsPath)
            .WithTags("Contacts")
            .ValidatePersonFields();

        contacts.MapGet("", ListContactsAsync);
        contacts.MapGet("/{id:int}", GetContactAsync);
        contacts.MapPost("", CreateContactAsync).ProducesValidationProblem();
        contacts.MapPut("/{id:int}", UpdateContactAsync).ProducesValidationProblem();
        contacts.MapDelete("/{id:int}", DeleteContactAsync);

        return contacts;
    }

    private static async Task<Results<Ok<ContactPage>, ValidationProblem>> ListContactsAsync(
        int? limit,
        string? cursor,
        AddressBookDbContext db,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var pageSize = limit ?? DefaultPageSize;
        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"The limit must be between 1 and {MaxPageSize}."];
        }

        var lastIdOfPreviousPage = 0;
        if (cursor is not null && !ContactCursor.TryDecode(cursor, out lastIdOfPreviousPage))
        {
            errors["cursor"] = ["The cursor is not one this API returned as nextCursor."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var people = db.People.AsNoTracking();
        if (cursor is not null)
        {
            people = people.Where(person => person.Id > lastIdOfPreviousPage);
        }

        // One row past the page tells whether another page follows, without counting the table.
        var contacts = await people
            .OrderBy(person => person.Id)
            .Take(pageSize + 1)
            .Select(person => person.ToContactDto())
            .ToListAsync(cancellationToken);

        string? nextCursor = null;
        if (contacts.Count > pageSize)
        {
            contacts.RemoveAt(pageSize);
            nextCursor = ContactCursor.Encode(contacts[^1].Id);
        }

        return TypedResults.Ok(new ContactPage(contacts, nextCursor));
    }

    private static async Task<Results<Ok<ContactDto>, NotFound>> GetContactAsync(
        int id,
        AddressBookDbContext db,
        CancellationToken cancellationToken) =>
        await FindContactAsync(db, id, cancellationToken) is { } contact ? TypedResults.Ok(contact) : TypedResults.NotFound();

    private static async Task<Created<ContactDto>> CreateContactAsync(
        ContactInput input,
        AddressBookDbContext db,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        var person = input.ToNewPerson(timeProvider.GetUtcNowTruncatedToMicroseconds());
        await db.InsertWithGeneratedIdAsync(person, cancellationToken);
        loggerFactory.CreateLogger(typeof(ContactsEndpoints)).LogInformation("Created contact {ContactId}", person.Id);

        return TypedResults.Created($"{ContactsPath}/{person.Id}", person.ToContactDto());
    }

    private static async Task<Results<Ok<ContactDto>, NotFound>> UpdateContactAsync(
        int id,
        ContactInput input,
        AddressBookDbContext db,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        var updatedAt = timeProvider.GetUtcNowTruncatedToMicroseconds();
        // The group's validation filter has rejected a missing first name before this handler runs.
        var firstName = input.FirstName!;
        var updatedRows = await db.People
            .Where(person => person.Id == id)
            .ExecuteUpdateAsync(
                setters => setters
                    .SetProperty(person => person.FirstName, firstName)
                    .SetProperty(person => person.LastName, input.LastName)
                    .SetProperty(person => person.UpdatedAt, updatedAt),
                cancellationToken);

        // Read back rather than rebuilt from the input: createdAt is only in the row, and a concurrent delete shows as 404.
        return updatedRows > 0 && await FindContactAsync(db, id, cancellationToken) is { } contact
            ? TypedResults.Ok(contact)
            : TypedResults.NotFound();
    }

    private static async Task<Results<NoContent, NotFound>> DeleteContactAsync(
        int id,
        AddressBookDbContext db,
        CancellationToken cancellationToken) =>
        await db.People.Where(person => person.Id == id).ExecuteDeleteAsync(cancellationToken) > 0
            ? TypedResults.NoContent()
            : TypedResults.NotFound();
}
