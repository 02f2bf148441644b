using AddressBook.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AddressBook.Api.PersonFields;

public static class PersonFieldsValidation
{
    /// <summary>
    /// Answers 400 with per-field errors, before the handler runs, for any endpoint of the group that takes
    /// <see cref="IPersonFields"/>.
    /// </summary>
    public static RouteGroupBuilder ValidatePersonFields(this RouteGroupBuilder group) =>
        group.AddEndpointFilterFactory((factoryContext, next) =>
        {
            var fieldsIndex = Array.FindIndex(
                factoryContext.MethodInfo.GetParameters(),
                parameter => parameter.ParameterType.IsAssignableTo(typeof(IPersonFields)));
            if (fieldsIndex < 0)
            {
                return next;
            }

            return async invocationContext =>
            {
                var errors = Validate(invocationContext.GetArgument<IPersonFields>(fieldsIndex));
                return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : await next(invocationContext);
            };
        });

    public static Dictionary<string, string[]> Validate(IPersonFields fields)
    {
        var errors = new Dictionary<string, string[]>();

        if (string.IsNullOrWhiteSpace(fields.FirstName))
        {
            errors["firstName"] = ["The first name is required and must not be blank."];
        }
        else
        {
            AddNameErrors(errors, "firstName", "first name", fields.FirstName);
        }

        if (fields.LastName is not null)
        {
            AddNameErrors(errors, "lastName", "last name", fields.LastName);
        }

        if (fields.Id is <= 0)
        {
            errors["id"] = ["The id must be a positive integer."];
        }

        return errors;
    }

    private static void AddNameErrors(Dictionary<string, string[]> errors, string field, string description, string name)
    {
        List<string> problems = [];

        if (name.Length > PersonConfiguration.NameMaxLength)
        {
            problems.Add($"The {description} must be at most {PersonConfiguration.NameMaxLength} characters long.");
        }

        // PostgreSQL text cannot hold NUL: the write would fail.
        if (name.Contains('\0'))
        {
            problems.Add($"The {description} must not contain NUL characters.");
        }

        if (problems.Count > 0)
        {
            errors[field] = [.. problems];
        }
    }
}
