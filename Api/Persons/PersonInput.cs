using System.Globalization;
using System.Text.Json;
using AddressBook.Api.PersonFields;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace AddressBook.Api.Persons;

/// <summary>
/// The tutorial's clients send a new person as form fields (<c>curl -d "firstName=Ada"</c>) or as JSON, to the same
/// endpoint; minimal APIs bind a parameter from one of the two only, hence <see cref="BindAsync"/>.
/// </summary>
public sealed record PersonInput(string? FirstName, string? LastName, int? Id) : IPersonFields
{
    public static async ValueTask<PersonInput?> BindAsync(HttpContext context)
    {
        var request = context.Request;

        if (request.HasJsonContentType())
        {
            return await ReadJsonAsync(context);
        }

        if (request.HasFormContentType)
        {
            return await ReadFormAsync(request, context.RequestAborted);
        }

        throw new BadHttpRequestException(
            "Send the person as JSON or as form fields (application/x-www-form-urlencoded or multipart/form-data).",
            StatusCodes.Status415UnsupportedMediaType);
    }

    private static async Task<PersonInput?> ReadJsonAsync(HttpContext context)
    {
        var jsonOptions = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>();
        try
        {
            return await context.Request.ReadFromJsonAsync<PersonInput>(jsonOptions.Value.SerializerOptions, context.RequestAborted);
        }
        catch (JsonException exception)
        {
            throw new BadHttpRequestException(
                "The request body is not a JSON object with a string firstName, a string lastName and an integer id.",
                exception);
        }
    }

    private static async Task<PersonInput> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException and not BadHttpRequestException)
        {
            throw new BadHttpRequestException("The request body is not a well-formed form.", exception);
        }

        return new PersonInput(FirstValue(form["firstName"]), FirstValue(form["lastName"]), ParseId(form["id"]));
    }

    private static string? FirstValue(StringValues values) => values.Count > 0 ? values[0] : null;

    private static int? ParseId(StringValues values)
    {
        var id = FirstValue(values);
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        return int.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw new BadHttpRequestException("The form field 'id' must be an integer.");
    }
}
