using AddressBook.Api.Contacts.Interchange;
using AddressBook.Api.Data;
using AddressBook.Api.Edge;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Npgsql;

namespace AddressBook.Api.Contacts;

/// <summary>The address book as files other contact apps read and write: vCard (RFC 6350, and 3.0 on import) and CSV.</summary>
public static class ContactFilesEndpoints
{
    /// <summary>A million contacts with an email and a phone each are about 190 MB of CSV and 260 MB of vCard.</summary>
    public const long MaxImportBytes = 512L * 1024 * 1024;

    private const int ExportPageSize = 1000;

    private static readonly string[] VCardMediaTypes = ["text/vcard", "text/x-vcard", "text/directory"];

    /// <param name="IndexingForSearch">The contacts created are listed now and found by search once indexed, about two minutes per million.</param>
    public sealed record ImportSummary(long Created, long Merged, long Skipped, bool IndexingForSearch);

    public static RouteGroupBuilder MapContactFiles(this IEndpointRouteBuilder endpoints)
    {
        var files = endpoints.MapGroup("/api/contacts")
            .WithTags("Contact files")
            .RequireApiKey()
            .WithRequestBodyLimit(MaxImportBytes);

        files.MapGet("/export.vcf", (AddressBookDbContext db, CancellationToken cancellationToken) => TypedResults.Stream(
            output => VCardWriter.WriteAsync(output, AllContacts(db, cancellationToken), cancellationToken), "text/vcard; charset=utf-8", "contacts.vcf"));
        files.MapGet("/export.csv", async (AddressBookDbContext db, NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        {
            // Measured before the first byte, so a database that cannot be reached is a problem answer, not a cut-off file.
            var columns = await CsvColumnsInUseAsync(dataSource, cancellationToken);
            return TypedResults.Stream(
                output => CsvContactWriter.WriteAsync(output, AllContacts(db, cancellationToken), columns, cancellationToken), "text/csv; charset=utf-8", "contacts.csv");
        });
        files.MapPost("/import", ImportAsync)
            .Accepts<string>("text/vcard", "text/csv")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        return files;
    }

    /// <summary>
    /// Every contact in id order, read while the response is written. With retries enabled EF Core buffers a query's
    /// whole result before its first row, so this reads keyset pages instead: memory stays flat at any size, and a
    /// transient failure retries one page.
    /// </summary>
    private static async IAsyncEnumerable<ContactDto> AllContacts(
        AddressBookDbContext db, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var lastId = 0;
        while (true)
        {
            var page = await db.People.AsNoTracking()
                .Where(person => person.Id > lastId)
                .OrderBy(person => person.Id)
                .Take(ExportPageSize)
                .SelectContactDtos()
                .ToListAsync(cancellationToken);
            foreach (var contact in page)
            {
                yield return contact;
            }

            if (page.Count < ExportPageSize)
            {
                yield break;
            }

            lastId = page[^1].Id;
        }
    }

    /// <summary>
    /// As many email, phone and address columns as the contact with the most of each has, and at least one, so the sheet
    /// shows where they go: with room for the most a contact may hold, a million contacts with one email and one phone
    /// were 170 columns and 325 MB, nearly all of it empty cells. A contact given more values while the export runs no
    /// longer fits the header written before it; the writer then fails the download rather than leave values out.
    /// </summary>
    private static async Task<CsvContactColumns> CsvColumnsInUseAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT greatest(1, max(jsonb_array_length(emails))), greatest(1, max(jsonb_array_length(phones))), greatest(1, max(jsonb_array_length(addresses)))
            FROM "People"
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new CsvContactColumns(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2));
    }

    /// <param name="duplicates">
    /// What to do with a record whose email or phone an existing contact has: <c>skip</c> (the default), <c>merge</c> or
    /// <c>create</c>.
    /// </param>
    private static async Task<Results<Ok<ImportSummary>, ValidationProblem, ProblemHttpResult>> ImportAsync(
        HttpRequest request,
        string? duplicates,
        NpgsqlDataSource dataSource,
        SearchIndexer searchIndexer,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        if (!TryParseDuplicates(duplicates, out var handling))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["duplicates"] = ["Duplicates are 'skip' (the default), 'merge' or 'create'."],
            });
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || contentType.MediaType.Value?.ToLowerInvariant() is not { } mediaType
            || !(VCardMediaTypes.Contains(mediaType) || mediaType == "text/csv")
            || (contentType.Charset.HasValue && !contentType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                detail: "Send a vCard file as text/vcard or a CSV file as text/csv, in UTF-8.");
        }

        var body = new Utf8CheckingStream(request.Body);
        var records = mediaType == "text/csv" ? CsvContactReader.ReadAsync(body, cancellationToken) : VCardReader.ReadAsync(body, cancellationToken);
        ImportOutcome outcome;
        try
        {
            outcome = await ContactImport.ImportAsync(dataSource, records, handling, timeProvider.GetUtcNowTruncatedToMicroseconds(), cancellationToken);
        }
        catch (ContactFileFormatException exception)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                detail: $"{exception.Message} Nothing was imported.",
                extensions: new Dictionary<string, object?> { ["problems"] = new[] { new ImportProblem(exception.LineNumber, null, exception.Message) } });
        }

        if (outcome.Problems.Count > 0)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                detail: $"Records of the file have problems ({outcome.Problems.Count}{(outcome.Problems.Count == ContactImport.MaxProblems ? " or more" : "")}); nothing was imported.",
                extensions: new Dictionary<string, object?> { ["problems"] = outcome.Problems });
        }

        if (outcome.IndexingForSearch)
        {
            searchIndexer.Wake();
        }

        return TypedResults.Ok(new ImportSummary(outcome.Created, outcome.Merged, outcome.Skipped, outcome.IndexingForSearch));
    }

    private static bool TryParseDuplicates(string? text, out DuplicateHandling handling)
    {
        handling = DuplicateHandling.Skip;
        return string.IsNullOrEmpty(text) || Enum.TryParse(text, ignoreCase: true, out handling) && Enum.IsDefined(handling) && !int.TryParse(text, out _);
    }
}
