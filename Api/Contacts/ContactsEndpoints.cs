using AddressBook.Api.Data;
using AddressBook.Api.Edge;
using AddressBook.Api.PersonFields;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AddressBook.Api.Contacts;

/// <summary>The address book as a REST resource, over the same table as the tutorial's API.</summary>
public static class ContactsEndpoints
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public const int MaxSearchLength = 200;

    private const string ContactsPath = "/api/contacts";

    private static readonly Func<AddressBookDbContext, int, CancellationToken, Task<Person?>> FindPersonAsync =
        EF.CompileAsyncQuery((AddressBookDbContext db, int id, CancellationToken _) =>
            db.People.AsNoTracking().FirstOrDefault(person => person.Id == id));

    public static RouteGroupBuilder MapContacts(this IEndpointRouteBuilder endpoints)
    {
        var contacts = endpoints.MapGroup(ContactsPath)
            .WithTags("Contacts")
            .RequireApiKey()
            .WithRequestBodyLimit(RequestBodyLimits.ContactBytes)
            .ValidatePersonFields()
            .ValidateContactDetails();

        contacts.MapGet("", ListContactsAsync);
        contacts.MapGet("/{id:int}", GetContactAsync).Produces(StatusCodes.Status304NotModified);
        contacts.MapPost("", CreateContactAsync).ProducesValidationProblem();
        contacts.MapPut("/{id:int}", UpdateContactAsync).ProducesValidationProblem().ProducesProblem(StatusCodes.Status412PreconditionFailed);
        contacts.MapDelete("/{id:int}", DeleteContactAsync).ProducesProblem(StatusCodes.Status412PreconditionFailed);

        return contacts;
    }

    /// <param name="q">
    /// Words found in a contact's names, company, title, tags, emails or phones, each as part of one of them or close to
    /// a word of its names, company, title or tags (a typo), in any case, with or without accents.
    /// </param>
    /// <param name="sort">
    /// <c>relevance</c> (the default with <paramref name="q"/>): best matches first; <c>oldest</c> (the default without it)
    /// or <c>newest</c> first.
    /// </param>
    /// <param name="tag">Only contacts with this tag, exactly as stored.</param>
    /// <param name="favorite"><c>true</c> for favourites only, <c>false</c> for the others.</param>
    private static async Task<Results<Ok<ContactPage>, ValidationProblem>> ListContactsAsync(
        int? limit,
        string? cursor,
        string? q,
        string? sort,
        string? tag,
        string? favorite,
        AddressBookDbContext db,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var pageSize = limit ?? DefaultPageSize;
        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"The limit must be between 1 and {MaxPageSize}."];
        }

        var search = q?.Trim() ?? "";
        if (search.Length > MaxSearchLength || search.Contains('\0'))
        {
            errors["q"] = [$"The search must be at most {MaxSearchLength} characters, without NUL characters."];
        }

        var order = sort switch
        {
            null or "" => search.Length > 0 ? ContactOrder.Relevance : ContactOrder.Oldest,
            "oldest" => ContactOrder.Oldest,
            "newest" => ContactOrder.Newest,
            "relevance" when search.Length > 0 => ContactOrder.Relevance,
            _ => (ContactOrder?)null,
        };
        if (order is null)
        {
            errors["sort"] = ["The sort must be 'oldest', 'newest', or, with a search, 'relevance'."];
        }

        var after = ContactPosition.Start;
        if (cursor is not null && order is not null && !ContactPosition.TryDecode(cursor, order.Value, out after))
        {
            errors["cursor"] = ["The cursor is not one this API returned as nextCursor for this sort."];
        }

        var onlyTag = tag?.Trim();
        if (onlyTag is { Length: > ContactDetails.TagMaxLength } || onlyTag?.Any(char.IsControl) == true)
        {
            errors["tag"] = [$"The tag must be at most {ContactDetails.TagMaxLength} characters, without control characters."];
        }

        // Taken as text rather than bool?, so that a wrong value is a problem named after its parameter like the others.
        bool? onlyFavorite = null;
        if (!string.IsNullOrEmpty(favorite))
        {
            if (bool.TryParse(favorite, out var parsed))
            {
                onlyFavorite = parsed;
            }
            else
            {
                errors["favorite"] = ["The favorite filter must be 'true' or 'false'."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var filter = new ContactFilter(onlyTag, onlyFavorite);
        // One row past the page tells whether another page follows, without counting.
        var rows = await ContactListing.PageAsync(db, filter, search, order!.Value, after, pageSize + 1, cancellationToken);

        var morePages = rows.Count > pageSize;
        string? nextCursor = null;
        if (morePages)
        {
            rows.RemoveAt(pageSize);
            nextCursor = new ContactPosition(rows[^1].Rank, rows[^1].Contact.Id).Encode(order.Value);
        }

        var total = cursor is null ? await ContactListing.CountAsync(db, filter, search, rows, morePages, cancellationToken) : null;
        return TypedResults.Ok(new ContactPage([.. rows.Select(row => row.Contact)], nextCursor, total));
    }

    private static async Task<Results<Ok<ContactDto>, NotFound, StatusCodeHttpResult>> GetContactAsync(
        int id,
        HttpRequest request,
        HttpResponse response,
        AddressBookDbContext db,
        CancellationToken cancellationToken)
    {
        if (await FindPersonAsync(db, id, cancellationToken) is not { } stored)
        {
            return TypedResults.NotFound();
        }

        SetVersionHeaders(response, stored.Version);
        return ContactETag.NoneMatchFails(request.Headers.IfNoneMatch, stored.Version)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(stored.ToContactDto());
    }

    private static async Task<Created<ContactDto>> CreateContactAsync(
        ContactInput input,
        HttpResponse response,
        AddressBookDbContext db,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        var person = input.ToNewPerson(timeProvider.GetUtcNowTruncatedToMicroseconds());
        input.ApplyTo(person);
        await db.InsertWithGeneratedIdAsync(person, cancellationToken);
        loggerFactory.CreateLogger(typeof(ContactsEndpoints)).LogInformation("Created contact {ContactId}", person.Id);

        SetVersionHeaders(response, person.Version);
        return TypedResults.Created($"{ContactsPath}/{person.Id}", person.ToContactDto());
    }

    /// <summary>
    /// With If-Match, the update applies only to the version the client read: a stale version is a 412 and changes
    /// nothing, so of two editors the second learns of the first instead of overwriting it.
    /// </summary>
    private static async Task<Results<Ok<ContactDto>, NotFound, ProblemHttpResult>> UpdateContactAsync(
        int id,
        ContactInput input,
        HttpRequest request,
        HttpResponse response,
        AddressBookDbContext db,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        if (!ContactETag.TryReadIfMatch(request.Headers.IfMatch, out var ifMatch))
        {
            return MalformedIfMatch();
        }

        var updatedAt = timeProvider.GetUtcNowTruncatedToMicroseconds();
        // The group's validation filter has rejected a missing first name before this handler runs.
        var firstName = input.FirstName!;
        var updatedRows = await VersionMatching(db.People.Where(person => person.Id == id), ifMatch)
            .ExecuteUpdateAsync(
                setters =>
                {
                    setters
                        .SetProperty(person => person.FirstName, firstName)
                        .SetProperty(person => person.LastName, input.LastName)
                        .SetProperty(person => person.UpdatedAt, updatedAt);
                    input.SetGivenDetails(setters);
                },
                cancellationToken);

        if (updatedRows == 0)
        {
            return await PreconditionFailedIfStillThereAsync(db, id, ifMatch, cancellationToken) is { } preconditionFailed
                ? preconditionFailed
                : TypedResults.NotFound();
        }

        // Read back rather than rebuilt from the input: createdAt is only in the row, and a concurrent delete shows as 404.
        if (await FindPersonAsync(db, id, cancellationToken) is not { } stored)
        {
            return TypedResults.NotFound();
        }

        SetVersionHeaders(response, stored.Version);
        return TypedResults.Ok(stored.ToContactDto());
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteContactAsync(
        int id,
        HttpRequest request,
        AddressBookDbContext db,
        CancellationToken cancellationToken)
    {
        if (!ContactETag.TryReadIfMatch(request.Headers.IfMatch, out var ifMatch))
        {
            return MalformedIfMatch();
        }

        if (await VersionMatching(db.People.Where(person => person.Id == id), ifMatch).ExecuteDeleteAsync(cancellationToken) > 0)
        {
            return TypedResults.NoContent();
        }

        return await PreconditionFailedIfStillThereAsync(db, id, ifMatch, cancellationToken) is { } preconditionFailed
            ? preconditionFailed
            : TypedResults.NotFound();
    }

    private static IQueryable<Person> VersionMatching(IQueryable<Person> people, IfMatch? ifMatch) =>
        ifMatch is null || ifMatch.MatchesAnyVersion ? people : people.Where(person => ifMatch.Versions.Contains(person.Version));

    // Preconditions only decide between success and 412; a contact that does not exist is a 404 either way (RFC 9110, 13.2.1).
    private static async Task<ProblemHttpResult?> PreconditionFailedIfStillThereAsync(
        AddressBookDbContext db, int id, IfMatch? ifMatch, CancellationToken cancellationToken)
    {
        if (ifMatch is null || !await db.People.AnyAsync(person => person.Id == id, cancellationToken))
        {
            return null;
        }

        return TypedResults.Problem(
            statusCode: StatusCodes.Status412PreconditionFailed,
            detail: "The contact has changed since the version named in If-Match. Read it again, then reapply the change.");
    }

    private static ProblemHttpResult MalformedIfMatch() => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        detail: "If-Match must be * or a list of entity tags, such as \"42\", as the ETag header gave them.");

    private static void SetVersionHeaders(HttpResponse response, uint version)
    {
        response.Headers.ETag = ContactETag.Format(version);
        // Contacts are personal data behind a key: shared caches keep no copy, browsers revalidate with the ETag.
        response.Headers.CacheControl = "private, no-cache";
    }

}
