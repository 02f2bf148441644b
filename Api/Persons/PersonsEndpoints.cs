using AddressBook.Api.Data;
using AddressBook.Api.PersonFields;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AddressBook.Api.Persons;

/// <summary>The tutorial's API, route for route, so its clients keep working unchanged.</summary>
public static class PersonsEndpoints
{
    private static readonly Func<AddressBookDbContext, int, CancellationToken, Task<PersonDto?>> FindPersonAsync =
        EF.CompileAsyncQuery((AddressBookDbContext db, int id, CancellationToken _) =>
            db.People.AsNoTracking().Where(person => person.Id == id).Select(person => person.ToPersonDto()).FirstOrDefault());

    public static RouteGroupBuilder MapPersons(this IEndpointRouteBuilder endpoints)
    {
        var persons = endpoints.MapGroup("/persons")
            .WithTags("Persons")
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

    // Streamed row by row as the response is written, so memory stays flat however many people there are.
    private static Ok<IAsyncEnumerable<PersonDto>> GetAllPersons(AddressBookDbContext db) =>
        TypedResults.Ok(db.People.AsNoTracking().OrderBy(person => person.Id).Select(person => person.ToPersonDto()).AsAsyncEnumerable());

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
