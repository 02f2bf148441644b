using System.Globalization;
using System.Text.RegularExpressions;

namespace AddressBook.Api.Contacts.Interchange;

/// <summary>
/// BDAY values. The address book stores whole dates, so: a complete date (19850412, 1985-04-12, with or without a
/// time) is kept; a birthday without a year (--0412, or Apple's X-APPLE-OMIT-YEAR), a year or month alone, or
/// free text (VALUE=text) is dropped and the rest of the card kept, since phones let people save birthdays without
/// a year and refusing those cards would make their exports unimportable; anything else is an error for the card.
/// </summary>
internal static partial class VCardBirthday
{
    private static readonly string[] DateFormats = ["yyyyMMdd", "yyyy-MM-dd"];

    /// <summary>The birthday as yyyy-MM-dd, or null when it is one that is dropped.</summary>
    public static string? Parse(VCardProperty property, string raw, int lineNumber)
    {
        var value = raw.Trim();
        if (property.HasParameter("VALUE", "text") || property.Parameter("X-APPLE-OMIT-YEAR") is not null)
        {
            return null;
        }

        var date = value.Split('T')[0];
        if (DateOnly.TryParseExact(date, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var birthday))
        {
            return birthday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        return ReducedAccuracy().IsMatch(date)
            ? null
            : throw new FormatException($"Line {lineNumber}: the birthday '{value}' is not a date such as 19850412 or 1985-04-12.");
    }

    // RFC 6350 §4.3.1's dates without a day or a year: 1985, 1985-04, --0412, --04, ---12.
    [GeneratedRegex(@"^(\d{4}(-?\d{2})?|--\d{2}(-?\d{2})?|---\d{2})$")]
    private static partial Regex ReducedAccuracy();
}
