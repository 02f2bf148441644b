using Microsoft.Extensions.Configuration;

namespace AddressBook.Hosting;

/// <summary>The app host's own settings, from the <c>AppHost</c> configuration section.</summary>
internal sealed class HostingOptions
{
    public const string SectionName = "AppHost";

    /// <summary>Data volumes become temporary directories removed at shutdown (tests).</summary>
    public bool EphemeralData { get; init; }

    /// <summary>Fixed endpoint ports are replaced by free ones, so runs can share a machine (tests).</summary>
    public bool RandomizePorts { get; init; }

    /// <summary>Echo every resource's output to the console.</summary>
    public bool EchoResourceOutput { get; init; } = true;

    /// <summary>Stop the app host with exit code 1 when a resource cannot start.</summary>
    public bool StopOnStartupFailure { get; init; } = true;

    /// <summary>Delete the persisted data and generated secrets before starting.</summary>
    public bool ResetData { get; init; }

    /// <summary>Where volumes and generated secrets are kept; a per-user folder by default.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>How long a process gets to stop after SIGTERM before it is killed.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    public static HostingOptions From(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<HostingOptions>() ?? new HostingOptions();
}
