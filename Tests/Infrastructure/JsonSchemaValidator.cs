using System.Text.Json;

namespace AddressBook.Tests.Infrastructure;

/// <summary>
/// A JSON Schema draft-07 validator for the keywords Aspire's manifest schema uses: type, properties, required,
/// additionalProperties, items, const, enum, oneOf, anyOf, allOf, not, boolean schemas and local $ref.
/// No validator package restores here; a keyword it does not know fails loudly rather than passing.
/// </summary>
public sealed class JsonSchemaValidator(JsonElement root)
{
    private static readonly HashSet<string> Annotations = ["$schema", "$id", "description", "title", "default", "examples", "definitions"];

    public static JsonSchemaValidator Load(string path) => new(JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone());

    public IReadOnlyList<string> Validate(JsonElement instance)
    {
        var errors = new List<string>();
        Validate(root, instance, "$", errors);
        return errors;
    }

    private void Validate(JsonElement schema, JsonElement instance, string path, List<string> errors)
    {
        if (schema.ValueKind == JsonValueKind.False)
        {
            errors.Add($"{path}: no value is allowed here");
            return;
        }

        if (schema.ValueKind == JsonValueKind.True)
        {
            return;
        }

        foreach (var keyword in schema.EnumerateObject())
        {
            var value = keyword.Value;
            switch (keyword.Name)
            {
                case "$ref":
                    Validate(Resolve(value.GetString()!), instance, path, errors);
                    break;
                case "type":
                    var types = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(t => t.GetString()!).ToList() : [value.GetString()!];
                    if (!types.Any(t => HasType(instance, t)))
                    {
                        errors.Add($"{path}: expected {string.Join(" or ", types)}, found {instance.ValueKind}");
                    }

                    break;
                case "properties" when instance.ValueKind == JsonValueKind.Object:
                    foreach (var property in value.EnumerateObject())
                    {
                        if (instance.TryGetProperty(property.Name, out var child))
                        {
                            Validate(property.Value, child, $"{path}.{property.Name}", errors);
                        }
                    }

                    break;
                case "additionalProperties" when instance.ValueKind == JsonValueKind.Object:
                    var declared = schema.TryGetProperty("properties", out var properties)
                        ? properties.EnumerateObject().Select(p => p.Name).ToHashSet() : [];
                    foreach (var property in instance.EnumerateObject().Where(p => !declared.Contains(p.Name)))
                    {
                        Validate(value, property.Value, $"{path}.{property.Name}", errors);
                    }

                    break;
                case "required" when instance.ValueKind == JsonValueKind.Object:
                    foreach (var name in value.EnumerateArray().Select(n => n.GetString()!).Where(n => !instance.TryGetProperty(n, out _)))
                    {
                        errors.Add($"{path}: '{name}' is required");
                    }

                    break;
                case "items" when instance.ValueKind == JsonValueKind.Array:
                    var index = 0;
                    foreach (var item in instance.EnumerateArray())
                    {
                        Validate(value, item, $"{path}[{index++}]", errors);
                    }

                    break;
                case "const":
                    if (!JsonElement.DeepEquals(value, instance))
                    {
                        errors.Add($"{path}: expected {value.GetRawText()}");
                    }

                    break;
                case "enum":
                    if (!value.EnumerateArray().Any(candidate => JsonElement.DeepEquals(candidate, instance)))
                    {
                        errors.Add($"{path}: {instance.GetRawText()} is not one of {value.GetRawText()}");
                    }

                    break;
                case "oneOf":
                    var matching = value.EnumerateArray().Count(option => Passes(option, instance, path));
                    if (matching != 1)
                    {
                        errors.Add($"{path}: matches {matching} of the oneOf alternatives, not exactly one{Explain(value, instance, path)}");
                    }

                    break;
                case "anyOf":
                    if (!value.EnumerateArray().Any(option => Passes(option, instance, path)))
                    {
                        errors.Add($"{path}: matches none of the anyOf alternatives");
                    }

                    break;
                case "allOf":
                    foreach (var part in value.EnumerateArray())
                    {
                        Validate(part, instance, path, errors);
                    }

                    break;
                case "not":
                    if (Passes(value, instance, path))
                    {
                        errors.Add($"{path}: matches a schema it must not match");
                    }

                    break;
                case "properties" or "additionalProperties" or "required" or "items":
                    break;
                case var annotation when Annotations.Contains(annotation):
                    break;
                default:
                    throw new NotSupportedException($"Schema keyword '{keyword.Name}' at {path} is not supported by this validator.");
            }
        }
    }

    private bool Passes(JsonElement schema, JsonElement instance, string path)
    {
        var errors = new List<string>();
        Validate(schema, instance, path, errors);
        return errors.Count == 0;
    }

    // For a failed oneOf, the errors of the alternative meant by the instance's "type" say what is wrong.
    private string Explain(JsonElement options, JsonElement instance, string path)
    {
        if (instance.ValueKind != JsonValueKind.Object || !instance.TryGetProperty("type", out var type))
        {
            return "";
        }

        foreach (var option in options.EnumerateArray())
        {
            var resolved = option.TryGetProperty("$ref", out var reference) ? Resolve(reference.GetString()!) : option;
            if (resolved.TryGetProperty("properties", out var properties) && properties.TryGetProperty("type", out var typeSchema)
                && typeSchema.TryGetProperty("const", out var constant) && JsonElement.DeepEquals(constant, type))
            {
                var errors = new List<string>();
                Validate(option, instance, path, errors);
                return errors.Count == 0 ? "" : $" ({string.Join("; ", errors)})";
            }
        }

        return "";
    }

    private JsonElement Resolve(string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"Only local references are supported: {reference}");
        }

        var target = root;
        foreach (var segment in reference[2..].Split('/'))
        {
            target = target.GetProperty(segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return target;
    }

    private static bool HasType(JsonElement instance, string type) => type switch
    {
        "object" => instance.ValueKind == JsonValueKind.Object,
        "array" => instance.ValueKind == JsonValueKind.Array,
        "string" => instance.ValueKind == JsonValueKind.String,
        "number" => instance.ValueKind == JsonValueKind.Number,
        "integer" => instance.ValueKind == JsonValueKind.Number && instance.TryGetInt64(out _),
        "boolean" => instance.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => instance.ValueKind == JsonValueKind.Null,
        _ => throw new NotSupportedException($"Unknown JSON type '{type}'."),
    };
}
