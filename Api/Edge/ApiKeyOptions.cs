namespace AddressBook.Api.Edge;

/// <summary>
/// The keys clients present in the <c>X-Api-Key</c> header (or as <c>Authorization: Bearer</c>). With neither set the
/// API is open, which suits only a loopback endpoint; the app host sets both.
/// </summary>
public sealed class ApiKeyOptions
{
    public const string SectionName = "ApiKeys";

    /// <summary>Reads every route.</summary>
    public string? ReadOnly { get; set; }

    /// <summary>Reads and changes every route.</summary>
    public string? ReadWrite { get; set; }

    public bool IsEnforced => !string.IsNullOrEmpty(ReadOnly) || !string.IsNullOrEmpty(ReadWrite);
}
