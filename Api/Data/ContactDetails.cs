namespace AddressBook.Api.Data;

/// <summary>An email address or a phone number with what it is for ("work", "home", "mobile"…).</summary>
public sealed record LabelledValue(string? Label, string Value);

/// <summary>A postal address; every part is optional, as address formats differ from country to country.</summary>
public sealed record PostalAddress(
    string? Label,
    string? Street,
    string? Locality,
    string? Region,
    string? PostalCode,
    string? Country);
