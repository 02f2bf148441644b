using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AddressBook.Hosting.Publishing;

/// <summary>
/// The placeholders of Aspire's manifest, <c>{resource.property}</c>: <c>{db.connectionString}</c>,
/// <c>{secret.value}</c>, <c>{api.bindings.http.url}</c> (also <c>host</c>, <c>port</c>, <c>targetPort</c>, <c>scheme</c>).
/// </summary>
internal static partial class ManifestExpression
{
    [GeneratedRegex(@"\{(?<resource>[A-Za-z][A-Za-z0-9-]*)\.(?<path>[A-Za-z0-9.-]+)\}")]
    public static partial Regex Placeholder { get; }

    /// <summary>The text of an expression, split into literal text and placeholders, in order.</summary>
    public static IEnumerable<(string? Literal, string? Resource, string? Path)> Parts(string expression)
    {
        var position = 0;
        foreach (Match match in Placeholder.Matches(expression))
        {
            if (match.Index > position)
            {
                yield return (expression[position..match.Index], null, null);
            }

            yield return (null, match.Groups["resource"].Value, match.Groups["path"].Value);
            position = match.Index + match.Length;
        }

        if (position < expression.Length)
        {
            yield return (expression[position..], null, null);
        }
    }
}

/// <summary>How one deployment target writes what a placeholder stands for.</summary>
internal interface IExpressionTarget
{
    /// <summary>Literal text, escaped so that the target does not read it as a reference.</summary>
    string Literal(string text);

    /// <summary>A reference to a parameter's value, supplied at deployment time.</summary>
    string ParameterValue(DeploymentResource parameter);

    /// <summary>A reference to the connection string of a resource deployed elsewhere, supplied at deployment time.</summary>
    string ExternalConnectionString(DeploymentResource resource);

    /// <summary>The port other workloads reach a binding on.</summary>
    int Port(DeploymentResource resource, DeploymentBinding binding);
}

/// <summary>Resolves manifest expressions into what a deployment target writes: host names, ports, references to its secrets.</summary>
internal sealed class ExpressionResolver(DeploymentModel model, IExpressionTarget target)
{
    /// <summary>The parameters and external connection strings an expression needs, directly or through other resources.</summary>
    public IEnumerable<DeploymentResource> Inputs(string expression) =>
        ManifestExpression.Parts(expression).Where(p => p.Resource is not null).SelectMany(p => InputsOf(p.Resource!, p.Path!)).Distinct();

    public string Resolve(string expression, string usedBy) =>
        string.Concat(ManifestExpression.Parts(expression).Select(p => p.Literal is { } literal ? target.Literal(literal) : Placeholder(p.Resource!, p.Path!, usedBy)));

    private IEnumerable<DeploymentResource> InputsOf(string resourceName, string path)
    {
        var resource = model[resourceName];
        return (resource, path) switch
        {
            ({ Kind: DeploymentKind.Parameter }, "value") => [resource],
            ({ IsExternal: true }, "connectionString") => [resource],
            ({ ConnectionString: { } connectionString }, "connectionString") => Inputs(connectionString),
            _ => [],
        };
    }

    private string Placeholder(string resourceName, string path, string usedBy)
    {
        if (!model.Contains(resourceName))
        {
            throw new DistributedApplicationException($"'{usedBy}' refers to '{{{resourceName}.{path}}}', but there is no resource named '{resourceName}'.");
        }

        var resource = model[resourceName];
        var segments = path.Split('.');
        switch (segments)
        {
            case ["value"] when resource.Kind == DeploymentKind.Parameter:
                return target.ParameterValue(resource);
            case ["connectionString"] when resource.IsExternal:
                return target.ExternalConnectionString(resource);
            case ["connectionString"] when resource.ConnectionString is { } connectionString:
                return Resolve(connectionString, usedBy);
            case ["bindings", var bindingName, var property] when resource.Bindings.Any(b => b.Name == bindingName) && !resource.IsExternal:
                var binding = resource.Binding(bindingName);
                return property switch
                {
                    "host" => resource.Name,
                    "port" => Number(target.Port(resource, binding)),
                    "targetPort" => Number(binding.ContainerPort),
                    "scheme" => binding.Scheme,
                    "url" => $"{binding.Scheme}://{resource.Name}:{Number(target.Port(resource, binding))}",
                    _ => throw Unknown(),
                };
            default:
                throw Unknown();
        }

        DistributedApplicationException Unknown() =>
            new($"'{usedBy}' refers to '{{{resourceName}.{path}}}', which '{resourceName}' does not provide in a deployment.");
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The variable names deployment targets give parameters and external connection strings: <c>POSTGRES_PASSWORD</c>.</summary>
internal static class DeploymentVariables
{
    public static string NameOf(DeploymentResource input)
    {
        var name = new StringBuilder();
        foreach (var c in input.Name)
        {
            name.Append(c == '-' ? '_' : char.ToUpperInvariant(c));
        }

        return input.Kind == DeploymentKind.Parameter ? name.ToString() : $"{name}_CONNECTIONSTRING";
    }
}
