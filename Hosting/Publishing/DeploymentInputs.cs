using Microsoft.Extensions.Configuration;

namespace AddressBook.Hosting.Publishing;

/// <summary>One value a deployment needs that is not in its files: a parameter, or a connection string to a resource deployed elsewhere.</summary>
/// <param name="Variable">Its name in the secret file and in references, such as <c>POSTGRES_PASSWORD</c>.</param>
/// <param name="Value">The value; empty when the user must supply it.</param>
/// <param name="Description">What it is, written above it.</param>
internal sealed record DeploymentInput(string Variable, string Value, string Description);

/// <summary>How the tool that reads a secret file takes its values.</summary>
internal enum EnvFileSyntax
{
    /// <summary>kustomize's <c>secretGenerator</c>: everything after the first <c>=</c>, quotes and <c>$</c> included.</summary>
    Verbatim,

    /// <summary>
    /// Docker Compose: an unquoted or double-quoted value is interpolated (<c>$</c>), cut at <c> #</c> and trimmed;
    /// a single-quoted one is taken as written, except that a backslash may escape the closing quote.
    /// </summary>
    ComposeSingleQuoted,
}

/// <summary>
/// The values of a deployment's secret file (<c>.env</c>): taken from configuration (<c>Parameters:{name}</c>,
/// <c>ConnectionStrings:{name}</c>), else kept from the file a previous publish wrote, so that a data volume
/// keeps matching its password, else generated when the parameter allows it, else left for the user to fill in.
/// </summary>
internal static class DeploymentInputs
{
    public static IReadOnlyList<DeploymentInput> Resolve(
        DeploymentModel model, IConfiguration configuration, string secretFile, EnvFileSyntax syntax, TextWriter warnings)
    {
        var previous = ReadEnvFile(secretFile, syntax);
        var inputs = new List<DeploymentInput>();
        foreach (var resource in model.Resources.Where(r => r.Kind == DeploymentKind.Parameter || r.IsExternal))
        {
            var variable = DeploymentVariables.NameOf(resource);
            if (inputs.Any(i => i.Variable == variable))
            {
                throw new DistributedApplicationException($"Two deployment values would both be named {variable}; rename '{resource.Name}'.");
            }

            string? value;
            string description;
            if (resource.Parameter is { } parameter)
            {
                value = configuration[$"Parameters:{parameter.Name}"] ?? NonEmpty(previous.GetValueOrDefault(variable));
                var generated = value is null && parameter.Generate is not null;
                value ??= parameter.Generate?.GenerateValue();
                description = $"Parameter {parameter.Name}{(parameter.Secret ? " (secret)" : "")}{(generated ? ", generated" : "")}";
            }
            else
            {
                value = configuration[$"ConnectionStrings:{resource.Name}"] ?? NonEmpty(previous.GetValueOrDefault(variable));
                description = $"Connection string of {resource.Name}, deployed elsewhere";
            }

            if (string.IsNullOrEmpty(value))
            {
                warnings.WriteLine($"warning: {variable} has no value; fill it in ({secretFile}) before deploying.");
            }
            else if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
            {
                throw new DistributedApplicationException($"The value of {variable} spans several lines, which an env file cannot hold.");
            }

            // Rejected before any file is written, rather than leaving a deployment without its secrets.
            _ = EnvValue(variable, value ?? "", syntax);

            inputs.Add(new DeploymentInput(variable, value ?? "", description));
        }

        return inputs;
    }

    /// <summary>Writes the values readable by the current user only: they are the deployment's secrets.</summary>
    public static async Task WriteEnvFileAsync(string path, IReadOnlyList<DeploymentInput> inputs, EnvFileSyntax syntax, CancellationToken cancellationToken)
    {
        var lines = inputs.SelectMany(i => new[] { $"# {i.Description}", $"{i.Variable}={EnvValue(i.Variable, i.Value, syntax)}" });
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, "", cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await File.WriteAllLinesAsync(temporary, lines, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// A value as its line writes it, so that the tool reads back exactly the value. Compose has no single-quoted
    /// form for a quote, and versions differ on what a backslash before one means: such a value is refused.
    /// </summary>
    public static string EnvValue(string variable, string value, EnvFileSyntax syntax)
    {
        if (syntax == EnvFileSyntax.Verbatim)
        {
            return value;
        }

        if (value.Contains('\'', StringComparison.Ordinal) || value.EndsWith('\\'))
        {
            throw new DistributedApplicationException(
                $"The value of {variable} contains a single quote or ends with a backslash, which Compose's .env cannot hold as written; choose another value.");
        }

        return $"'{value}'";
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>The values a previous publish wrote; an unquoted Compose value is one written before values were quoted.</summary>
    public static Dictionary<string, string> ReadEnvFile(string path, EnvFileSyntax syntax)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return values;
        }

        foreach (var line in File.ReadLines(path))
        {
            var separator = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith('#') || separator <= 0)
            {
                continue;
            }

            var value = line[(separator + 1)..];
            if (syntax == EnvFileSyntax.ComposeSingleQuoted && value.Length >= 2 && value.StartsWith('\'') && value.EndsWith('\''))
            {
                value = value[1..^1];
            }

            values[line[..separator].Trim()] = value;
        }

        return values;
    }
}
