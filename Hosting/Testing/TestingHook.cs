using System.Reflection;

namespace AddressBook.Hosting.Testing;

/// <summary>
/// Lets the testing builder run an app host's entry point up to its <c>Build()</c> call and take the
/// builder from there, so tests start exactly the app host's model with test-friendly settings.
/// </summary>
internal sealed class TestingHook(Assembly appHostAssembly, string[] args)
{
    private static readonly AsyncLocal<TestingHook?> CurrentHook = new();

    public static TestingHook? Current
    {
        get => CurrentHook.Value;
        set => CurrentHook.Value = value;
    }

    public DistributedApplicationBuilder? Builder { get; private set; }

    /// <summary>
    /// Settings every test run gets: throwaway data, free ports instead of fixed ones, resource output
    /// kept in memory rather than printed, and a failed start left for the test to inspect.
    /// </summary>
    public static string[] TestingArguments =>
    [
        $"--{HostingOptions.SectionName}:EphemeralData=true",
        $"--{HostingOptions.SectionName}:RandomizePorts=true",
        $"--{HostingOptions.SectionName}:EchoResourceOutput=false",
        $"--{HostingOptions.SectionName}:StopOnStartupFailure=false",
    ];

    public static DistributedApplicationOptions Apply(DistributedApplicationOptions options) =>
        Current is { } hook
            ? new DistributedApplicationOptions
            {
                Args = [.. TestingArguments, .. options.Args, .. hook.ExtraArgs],
                AppHostAssembly = hook.AppHostAssembly,
                EnvironmentName = options.EnvironmentName ?? "Development",
                // As in Aspire's testing builder: no dashboard unless the test asks for one.
                DisableDashboard = hook.DisableDashboard,
            }
            : options;

    public static void OnBuilderCreated(DistributedApplicationBuilder builder)
    {
        if (Current is { } hook)
        {
            builder.IsTesting = true;
            builder.InterceptBuild = captured =>
            {
                hook.Builder = captured;
                throw new BuilderCapturedException();
            };
        }
    }

    private Assembly AppHostAssembly { get; } = appHostAssembly;

    private string[] ExtraArgs { get; } = args;

    /// <summary>Whether the application runs without its dashboard; tests that look at telemetry clear it.</summary>
    public bool DisableDashboard { get; set; } = true;

    /// <summary>Unwinds the app host's entry point once its builder is captured.</summary>
    internal sealed class BuilderCapturedException() : Exception("The testing builder took over the app host's builder.");
}
