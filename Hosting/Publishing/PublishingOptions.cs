using Microsoft.Extensions.Configuration;

namespace AddressBook.Hosting.Publishing;

/// <summary>
/// What the app host publishes instead of running, from the <c>Publishing</c> configuration section, which
/// the command line sets as Aspire's does: <c>--publisher manifest --output-path aspire-manifest.json</c>.
/// </summary>
public sealed class PublishingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Publishing";

    /// <summary><c>manifest</c>, <c>compose</c> or <c>kubernetes</c>; when set, nothing is started.</summary>
    public string? Publisher { get; init; }

    /// <summary>The manifest file, or the folder the Compose or Kubernetes files go to.</summary>
    public string? OutputPath { get; init; }

    /// <summary>Compose only: adds the Aspire dashboard and points every project's OpenTelemetry exporter at it.</summary>
    public bool Dashboard { get; init; }

    /// <summary>
    /// Resources deployed elsewhere, comma-separated, such as a managed PostgreSQL: not deployed, their connection
    /// string is a value of the secret file instead.
    /// </summary>
    public string? External { get; init; }

    /// <summary>The registry the projects' images were pushed to, prefixed to their names.</summary>
    public string? ContainerRegistry { get; init; }

    internal IReadOnlyList<string> ExternalResources =>
        (External ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    internal static PublishingOptions From(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<PublishingOptions>() ?? new PublishingOptions();

    /// <summary>Maps the command line's publishing switches onto configuration keys.</summary>
    internal static string ExpandArgument(string argument)
    {
        foreach (var (option, key) in Switches)
        {
            if (argument == option)
            {
                return key == nameof(Dashboard) ? $"--{SectionName}:{key}=true" : $"--{SectionName}:{key}";
            }

            if (argument.StartsWith(option + "=", StringComparison.Ordinal))
            {
                return $"--{SectionName}:{key}{argument[option.Length..]}";
            }
        }

        return argument;
    }

    private static readonly (string Option, string Key)[] Switches =
    [
        ("--publisher", nameof(Publisher)),
        ("--output-path", nameof(OutputPath)),
        ("--dashboard", nameof(Dashboard)),
        ("--external", nameof(External)),
        ("--container-registry", nameof(ContainerRegistry)),
    ];
}
