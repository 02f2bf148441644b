using System.Runtime.CompilerServices;
using AddressBook.Api.Data;
using AddressBook.Api.Edge;
using AddressBook.Api.PersonFields;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AddressBook.Api.Persons;

/// <summary>The tutorial's API, route for route, so its clients keep working unchanged.</summary>
public static class PersonsEndpoints
{
    private const int ReadAllPageSize = 2000;

    private static readonly Func<AddressBookDbContext, int, CancellationToken, Task<PersonDto?>> FindPersonAsync =
        EF.CompileAsyncQuery((AddressBookDbContext db, int id, CancellationToken _) =>
            db.People.AsNoTracking().Where(person => person.Id == id).Select(person => person.ToPersonDto()).FirstOrDefault());

    public static RouteGroupBuilder MapPersons(this IEndpointRouteBuilder endpoints)
    {
        var persons = endpoints.MapGroup("/persons")
            .WithTags("Persons")
            .RequireApiKey()
            .WithRequestBodyLimit(RequestBodyLimits.PersonBytes)
            .ValidatePersonFields();

        persons.MapPut("", CreatePersonAsync)
            .Accepts<PersonInput>("application/json", "application/x-www-form-urlencoded", "multipart/form-data")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        persons.MapGet("/all", GetAllPersons);
        persons.MapGet("/{id:int}", GetPersonAsync);
        persons.MapDelete("/{id:int}", DeletePersonAsync);

        return persons;
    }

    private static async Task<Results<Ok<PersonDto>, ProblemHttpResult>> CreatePersonAsync(
        PersonInput input,
        AddressBookDbContext db,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        var person = input.ToNewPerson(timeProvider.GetUtcNowTruncatedToMicroseconds());

        if (input.Id is not int requestedId)
        {
            await db.InsertWithGeneratedIdAsync(person, cancellationToken);
            return TypedResults.Ok(person.ToPersonDto());
        }

        person.Id = requestedId;
        try
        {
            await db.InsertWithExplicitIdAsync(person, cancellationToken);
        }
        catch (DbUpdateException exception) when (exception.IsPrimaryKeyViolation())
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                detail: $"A person with id {requestedId} already exists.");
        }

        return TypedResults.Ok(person.ToPersonDto());
    }

    private static Ok<IAsyncEnumerable<PersonDto>> GetAllPersons(AddressBookDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(ReadAllPersonsAsync(db, cancellationToken));

    /// <summary>
    /// Yields every person, ordered by id, while the response is being written. With retries enabled EF Core buffers a
    /// query's whole result before returning its first row, so this reads fixed-size pages by keyset instead: memory stays
    /// flat however many people there are, and a transient failure retries one page, not the whole table.
    /// </summary>
    private static async IAsyncEnumerable<PersonDto> ReadAllPersonsAsync(
        AddressBookDbContext db,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var people = db.People.AsNoTracking().OrderBy(person => person.Id);
        var page = await people.Take(ReadAllPageSize).Select(person => person.ToPersonDto()).ToListAsync(cancellationToken);

        while (true)
        {
            foreach (var person in page)
            {
                yield return person;
            }

            if (page.Count < ReadAllPageSize)
            {
                yield break;
            }

            var lastId = page[^1].Id;
            page = await people
                .Where(person => person.Id > lastId)
                .Take(ReadAllPageSize)
                .Select(person => person.ToPersonDto())
                .ToListAsync(cancellationToken);
        }
    }

    private static async Task<Results<Ok<PersonDto>, NotFound>> GetPersonAsync(
        int id,
        AddressBookDbContext db,
        CancellationToken cancellationToken) =>
        await FindPersonAsync(db, id, cancellationToken) is { } person ? TypedResults.Ok(person) : TypedResults.NotFound();

    private static async Task<Results<Ok<DeletedPersonDto>, NotFound>> DeletePersonAsync(
        int id,
        AddressBookDbContext db,
        CancellationToken cancellationToken) =>
        await db.People.Where(person => person.Id == id).ExecuteDeleteAsync(cancellationToken) > 0
            ? TypedResults.Ok(new DeletedPersonDto(id))
            : TypedResults.NotFound();
}
