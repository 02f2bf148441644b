using System.Diagnostics.CodeAnalysis;

namespace AddressBook.Api.Contacts.Interchange;

/// <summary>
/// How a contact's free-text labels ("work", "mobile", "Lake house") map to vCard TYPE values and back. A label the
/// TYPE values cannot say exactly is also written as an X-ABLabel property in the value's group, the convention
/// Apple's and Google's contacts apps share, so it survives a round trip and shows in those apps too.
/// </summary>
internal static class VCardLabels
{
    public static readonly IReadOnlySet<string> EmailTypes = new HashSet<string> { "work", "home" };

    public static readonly IReadOnlySet<string> PhoneTypes =
        new HashSet<string> { "work", "home", "text", "voice", "fax", "cell", "video", "pager", "textphone" };

    public static readonly IReadOnlySet<string> AddressTypes = EmailTypes;

    /// <summary>Types that say nothing a person would call a label: preference, and vCard 3.0's delivery and defaults.</summary>
    private static readonly HashSet<string> Unlabelled = ["pref", "internet", "x400", "voice", "msg", "dom", "intl", "postal", "parcel"];

    public static string? FromTypes(IEnumerable<string> types)
    {
        var label = string.Join(' ', types.Where(type => !Unlabelled.Contains(type)).Select(type => type == "cell" ? "mobile" : type));
        return label.Length > 0 ? label : null;
    }

    /// <summary>The TYPE values for a label whose every word is one of <paramref name="known"/>; none otherwise.</summary>
    public static IReadOnlyList<string> ToTypes(string? label, IReadOnlySet<string> known)
    {
        var types = (label ?? "").ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(word => word == "mobile" ? "cell" : word)
            .ToList();
        return types.All(known.Contains) ? types : [];
    }

    /// <summary>Whether the TYPE values alone would read back as a different label.</summary>
    public static bool NeedsOwnLabel([NotNullWhen(true)] string? label, IReadOnlyList<string> types) => label is not null && FromTypes(types) != label;

    /// <summary>An X-ABLabel value; Apple writes its built-in labels as _$!&lt;Mobile&gt;!$_.</summary>
    public static string FromAppleLabel(string label) =>
        label.StartsWith("_$!<", StringComparison.Ordinal) && label.EndsWith(">!$_", StringComparison.Ordinal)
            ? label[4..^4].ToLowerInvariant()
            : label;
}
