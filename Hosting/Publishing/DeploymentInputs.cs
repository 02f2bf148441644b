using Microsoft.Extensions.Configuration;

namespace AddressBook.Hosting.Publishing;

/// <summary>One value a deployment needs that is not in its files: a parameter, or a connection string to a resource deployed elsewhere.</summary>
/// <param name="Variable">Its name in the secret file and in references, such as <c>POSTGRES_PASSWORD</c>.</param>
/// <param name="Value">The value; empty when the user must supply it.</param>
/// <param name="Description">What it is, written above it.</param>
internal sealed record DeploymentInput(string Variable, string Value, string Description);

/// <summary>
/// The values of a deployment's secret file (<c>.env</c>): taken from configuration (<c>Parameters:{name}</c>,
/// <c>ConnectionStrings:{name}</c>), else kept from the file a previous publish wrote, so that a data volume
/// keeps matching its password, else generated when the parameter allows it, else left for the user to fill in.
/// </summary>
internal static class DeploymentInputs
{
    public static IReadOnlyList<DeploymentInput> Resolve(DeploymentModel model, IConfiguration configuration, string secretFile, TextWriter warnings)
    {
        var previous = ReadEnvFile(secretFile);
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

            inputs.Add(new DeploymentInput(variable, value ?? "", description));
        }

        return inputs;
    }

    /// <summary>Writes the values readable by the current user only: they are the deployment's secrets.</summary>
    public static async Task WriteEnvFileAsync(string path, IReadOnlyList<DeploymentInput> inputs, CancellationToken cancellationToken)
    {
        var lines = inputs.SelectMany(i => new[] { $"# {i.Description}", $"{i.Variable}={i.Value}" });
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, "", cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await File.WriteAllLinesAsync(temporary, lines, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    public static Dictionary<string, string> ReadEnvFile(string path)
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

            values[line[..separator].Trim()] = line[(separator + 1)..];
        }

        return values;
    }
}
