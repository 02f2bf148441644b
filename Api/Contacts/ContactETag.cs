using System.Globalization;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace AddressBook.Api.Contacts;

/// <summary>A contact's row version as a strong entity tag, and the conditional request headers that compare with it.</summary>
public static class ContactETag
{
    public static string Format(uint version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>If-None-Match uses the weak comparison (RFC 9110, 13.1.2): <c>W/"7"</c> matches version 7.</summary>
    public static bool NoneMatchFails(StringValues ifNoneMatch, uint version) =>
        EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)
        && tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || Version(tag) == version);

    /// <summary>
    /// Reads If-Match: null when absent, <see cref="IfMatch.Any"/> for <c>*</c>, otherwise the versions it names.
    /// It uses the strong comparison (RFC 9110, 13.1.1), so a weak tag names no version.
    /// </summary>
    public static bool TryReadIfMatch(StringValues ifMatch, out IfMatch? condition)
    {
        condition = null;
        if (StringValues.IsNullOrEmpty(ifMatch))
        {
            return true;
        }

        if (!EntityTagHeaderValue.TryParseStrictList(ifMatch, out var tags) || tags.Count == 0)
        {
            return false;
        }

        condition = tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any))
            ? IfMatch.Any
            : new IfMatch([.. tags.Where(tag => !tag.IsWeak).Select(Version).OfType<uint>()]);
        return true;
    }

    private static uint? Version(EntityTagHeaderValue tag) =>
        uint.TryParse(tag.Tag.AsSpan().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
}

/// <summary>An If-Match condition: any current version, or one of <see cref="Versions"/>.</summary>
public sealed record IfMatch(uint[] Versions)
{
    public static IfMatch Any { get; } = new([]) { MatchesAnyVersion = true };

    public bool MatchesAnyVersion { get; private init; }
}
