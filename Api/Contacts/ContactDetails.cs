using System.Globalization;
using System.Text.RegularExpressions;
using AddressBook.Api.Data;
using Microsoft.EntityFrameworkCore.Query;

namespace AddressBook.Api.Contacts;

/// <summary>
/// The rules for a contact's details beyond its names: what is valid, and how values are tidied before they are
/// stored (trimmed, blanks dropped, tags without repeats), so that what is searched and shown is what was meant.
/// </summary>
public static partial class ContactDetails
{
    public const int MaxEmails = 20;
    public const int MaxPhones = 20;
    public const int MaxAddresses = 10;
    public const int MaxTags = 50;
    public const int TagMaxLength = 50;
    public const int LabelMaxLength = 50;
    public const int EmailMaxLength = 254;
    public const int PhoneMaxLength = 40;
    public const int NotesMaxLength = 10_000;

    public static RouteGroupBuilder ValidateContactDetails(this RouteGroupBuilder group) =>
        group.AddEndpointFilterFactory((factoryContext, next) =>
        {
            var inputIndex = Array.FindIndex(factoryContext.MethodInfo.GetParameters(), p => p.ParameterType == typeof(ContactInput));
            if (inputIndex < 0)
            {
                return next;
            }

            return async invocationContext =>
            {
                var errors = Validate(invocationContext.GetArgument<ContactInput>(inputIndex), DateOnly.FromDateTime(DateTime.UtcNow));
                return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : await next(invocationContext);
            };
        });

    public static Dictionary<string, string[]> Validate(ContactInput input, DateOnly today)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string problem) => (errors.TryGetValue(field, out var list) ? list : errors[field] = []).Add(problem);

        CheckText(Add, "company", input.Company, PersonConfiguration.NameMaxLength);
        CheckText(Add, "title", input.Title, PersonConfiguration.NameMaxLength);
        CheckText(Add, "notes", input.Notes, NotesMaxLength);

        if (!string.IsNullOrWhiteSpace(input.Birthday))
        {
            if (!TryParseBirthday(input.Birthday, out var birthday))
            {
                Add("birthday", "The birthday must be a date written as YYYY-MM-DD, such as 1815-12-10.");
            }
            else if (birthday > today)
            {
                Add("birthday", "The birthday must not be in the future.");
            }
        }

        CheckList(Add, "tags", input.Tags, MaxTags, (field, tag) =>
        {
            if (string.IsNullOrWhiteSpace(tag))
            {
                Add(field, "A tag must not be blank.");
            }
            else
            {
                CheckText(Add, field, tag, TagMaxLength);
            }
        });

        CheckList(Add, "emails", input.Emails, MaxEmails, (field, email) =>
        {
            CheckText(Add, $"{field}.label", email?.Label, LabelMaxLength);
            var value = email?.Value?.Trim();
            if (string.IsNullOrEmpty(value) || value.Length > EmailMaxLength || !EmailShape().IsMatch(value))
            {
                Add($"{field}.value", $"An email address looks like name@example.org, at most {EmailMaxLength} characters.");
            }
        });

        CheckList(Add, "phones", input.Phones, MaxPhones, (field, phone) =>
        {
            CheckText(Add, $"{field}.label", phone?.Label, LabelMaxLength);
            var value = phone?.Value?.Trim();
            if (string.IsNullOrEmpty(value) || value.Length > PhoneMaxLength || !PhoneShape().IsMatch(value) || value.Count(char.IsAsciiDigit) < 3)
            {
                Add($"{field}.value", $"A phone number has digits, and only spaces, + ( ) . - / beside them, then perhaps an extension (;ext=12, x12 or ext. 12); at most {PhoneMaxLength} characters.");
            }
        });

        CheckList(Add, "addresses", input.Addresses, MaxAddresses, (field, address) =>
        {
            string?[] parts = [address?.Street, address?.Locality, address?.Region, address?.PostalCode, address?.Country];
            if (parts.All(string.IsNullOrWhiteSpace))
            {
                Add(field, "An address needs at least one of street, locality, region, postal code or country.");
            }

            CheckText(Add, $"{field}.label", address?.Label, LabelMaxLength);
            CheckText(Add, $"{field}.street", address?.Street, PersonConfiguration.NameMaxLength);
            CheckText(Add, $"{field}.locality", address?.Locality, PersonConfiguration.NameMaxLength);
            CheckText(Add, $"{field}.region", address?.Region, PersonConfiguration.NameMaxLength);
            CheckText(Add, $"{field}.postalCode", address?.PostalCode, PersonConfiguration.NameMaxLength);
            CheckText(Add, $"{field}.country", address?.Country, PersonConfiguration.NameMaxLength);
        });

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    /// <summary>Fills a new contact's details from valid input.</summary>
    public static void ApplyTo(this ContactInput input, Person person)
    {
        person.Company = Tidy(input.Company);
        person.Title = Tidy(input.Title);
        person.Birthday = TidyBirthday(input.Birthday);
        person.Notes = Tidy(input.Notes);
        person.Favorite = input.Favorite ?? false;
        person.Tags = TidyTags(input.Tags ?? []);
        person.Emails = TidyValues(input.Emails ?? []);
        person.Phones = TidyValues(input.Phones ?? []);
        person.Addresses = TidyAddresses(input.Addresses ?? []);
    }

    /// <summary>Sets the details the input carries; those it leaves out keep their stored values.</summary>
    public static void SetGivenDetails(this ContactInput input, UpdateSettersBuilder<Person> setters)
    {
        if (input.Company is not null)
        {
            setters.SetProperty(p => p.Company, Tidy(input.Company));
        }

        if (input.Title is not null)
        {
            setters.SetProperty(p => p.Title, Tidy(input.Title));
        }

        if (input.Birthday is not null)
        {
            setters.SetProperty(p => p.Birthday, TidyBirthday(input.Birthday));
        }

        if (input.Notes is not null)
        {
            setters.SetProperty(p => p.Notes, Tidy(input.Notes));
        }

        if (input.Favorite is { } favorite)
        {
            setters.SetProperty(p => p.Favorite, favorite);
        }

        if (input.Tags is not null)
        {
            setters.SetProperty(p => p.Tags, TidyTags(input.Tags));
        }

        if (input.Emails is not null)
        {
            setters.SetProperty(p => p.Emails, TidyValues(input.Emails));
        }

        if (input.Phones is not null)
        {
            setters.SetProperty(p => p.Phones, TidyValues(input.Phones));
        }

        if (input.Addresses is not null)
        {
            setters.SetProperty(p => p.Addresses, TidyAddresses(input.Addresses));
        }
    }

    private static void CheckText(Action<string, string> add, string field, string? text, int maxLength)
    {
        if (text is null)
        {
            return;
        }

        if (text.Trim().Length > maxLength)
        {
            add(field, $"At most {maxLength} characters.");
        }

        // PostgreSQL text cannot hold NUL; other control characters but line breaks and tabs are never meant.
        if (text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            add(field, "Control characters are not allowed.");
        }
    }

    private static void CheckList<T>(Action<string, string> add, string field, IReadOnlyList<T>? items, int maxCount, Action<string, T> checkItem)
    {
        if (items is null)
        {
            return;
        }

        if (items.Count > maxCount)
        {
            add(field, $"At most {maxCount}.");
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
            {
                add($"{field}[{i}]", "Must not be null.");
                continue;
            }

            checkItem($"{field}[{i}]", items[i]);
        }
    }

    private static bool TryParseBirthday(string text, out DateOnly birthday) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out birthday);

    private static string? Tidy(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static DateOnly? TidyBirthday(string? text) =>
        !string.IsNullOrWhiteSpace(text) && TryParseBirthday(text, out var birthday) ? birthday : null;

    private static List<string> TidyTags(IEnumerable<string> tags) =>
        [.. tags.Select(tag => tag.Trim()).Where(tag => tag.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];

    private static List<LabelledValue> TidyValues(IEnumerable<LabelledValue> values) =>
        [.. values.Select(v => new LabelledValue(Tidy(v.Label), v.Value.Trim()))];

    private static List<PostalAddress> TidyAddresses(IEnumerable<PostalAddress> addresses) =>
        [.. addresses.Select(a => new PostalAddress(Tidy(a.Label), Tidy(a.Street), Tidy(a.Locality), Tidy(a.Region), Tidy(a.PostalCode), Tidy(a.Country)))];

    // Deliberately loose: the one true test of an address is a mail that arrives; this catches typing slips.
    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s.]+$")]
    private static partial Regex EmailShape();

    // An extension as RFC 6350's own example writes it (tel:+1-418-656-9254;ext=102, RFC 3966), or as people type it.
    [GeneratedRegex(@"^\+?[0-9 ().\-/]+(?:(?:;ext=|\s*(?:ext\.?|x)\s*)[0-9]+)?$", RegexOptions.IgnoreCase)]
    private static partial Regex PhoneShape();
}
