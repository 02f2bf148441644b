using System.Security.Cryptography;

namespace AddressBook.Hosting.ApplicationModel;

/// <summary>
/// A value supplied to the application from outside its code: from configuration
/// (<c>Parameters:{name}</c>), or generated when the model allows it.
/// </summary>
public sealed class ParameterResource(string name, bool secret, GenerateParameterDefault? generate = null) : Resource(name)
{
    private string? _value;

    /// <summary>Whether the value must be masked wherever it is shown and kept out of non-secret outputs.</summary>
    public bool Secret { get; } = secret;

    /// <summary>How a value is generated when configuration supplies none; null when one is required.</summary>
    public GenerateParameterDefault? Generate { get; } = generate;

    /// <summary>
    /// Whether a generated value is stored with the application host's state so the next run gets the same one.
    /// Set when the value protects data that outlives the run, such as a database password with a data volume.
    /// </summary>
    public bool PersistGeneratedValue { get; set; }

    /// <summary>The value; available once the application has resolved its parameters.</summary>
    public string Value => _value ?? throw new InvalidOperationException($"Parameter '{Name}' has not been resolved yet.");

    /// <summary>The value as a deployment manifest expression, <c>{name.value}</c>: what published outputs carry instead of the value.</summary>
    public string ValueExpression => $"{{{Name}.value}}";

    internal bool IsResolved => _value is not null;

    internal void Resolve(string value) => _value = value;
}

/// <summary>The shape of a generated parameter value, as Aspire's manifest describes it.</summary>
public sealed record GenerateParameterDefault
{
    /// <summary>The value's length.</summary>
    public int MinLength { get; init; } = 22;

    /// <summary>Whether lower-case letters may appear.</summary>
    public bool Lower { get; init; } = true;

    /// <summary>Whether upper-case letters may appear.</summary>
    public bool Upper { get; init; } = true;

    /// <summary>Whether digits may appear.</summary>
    public bool Numeric { get; init; } = true;

    /// <summary>Whether punctuation may appear; off by default since values end up in connection strings and URLs.</summary>
    public bool Special { get; init; }

    /// <summary>Generates a value from a cryptographic random source.</summary>
    public string GenerateValue()
    {
        var alphabet = (Lower ? "abcdefghijklmnopqrstuvwxyz" : "") + (Upper ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ" : "")
            + (Numeric ? "0123456789" : "") + (Special ? "-_.~!*" : "");
        if (alphabet.Length == 0)
        {
            throw new InvalidOperationException("A generated parameter needs at least one character class.");
        }

        return RandomNumberGenerator.GetString(alphabet, Math.Max(MinLength, 1));
    }
}
