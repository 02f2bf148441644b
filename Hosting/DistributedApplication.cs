using AddressBook.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AddressBook.Hosting;

/// <summary>
/// A running application model: starts its resources, keeps them running, and stops them all when the
/// app host is asked to stop (Ctrl+C, SIGTERM) or disposed.
/// </summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string[]? _controlCommand;
    private bool _started;

    internal DistributedApplication(IHost host, string[]? controlCommand = null)
    {
        _host = host;
        _controlCommand = controlCommand;
    }

    /// <summary>The app host's services.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Resource states, and waits for them.</summary>
    public ResourceNotificationService ResourceNotifications => Services.GetRequiredService<ResourceNotificationService>();

    /// <summary>Commands on resources, such as a rolling restart.</summary>
    public ResourceCommandService ResourceCommands => Services.GetRequiredService<ResourceCommandService>();

    /// <summary>The recent console output of every resource.</summary>
    public ResourceLoggerService ResourceLogs => Services.GetRequiredService<ResourceLoggerService>();

    /// <summary>Creates a builder for an application model.</summary>
    public static IDistributedApplicationBuilder CreateBuilder(string[] args) =>
        CreateBuilder(new DistributedApplicationOptions { Args = args });

    /// <summary>Creates a builder for an application model.</summary>
    public static IDistributedApplicationBuilder CreateBuilder(DistributedApplicationOptions options)
    {
        if (Testing.TestingHook.Current is null)
        {
            ReportModelErrorsInOneLine();
            RunSocketContinuationsInline();
        }

        var builder = new DistributedApplicationBuilder(Testing.TestingHook.Apply(options));
        Testing.TestingHook.OnBuilderCreated(builder);
        return builder;
    }

    /// <summary>The runtime's switch for running socket continuations on the thread that saw the operation complete.</summary>
    internal const string InlineSocketCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    // The endpoint proxy relays every request between two sockets. Running each socket continuation where the
    // operation completed, instead of queueing it to the thread pool, saves thread hops on every relayed request: on 2
    // cores the proxy went from about 0.73 to 0.85 of the throughput of calling a replica directly. The runtime reads the switch when the first socket
    // is made, so it is set before anything opens one. Nothing in the app host blocks in a continuation; the projects it
    // starts do not inherit the switch (ProjectEnvironment), nor does a test host, which has blocking code of its own.
    private static void RunSocketContinuationsInline()
    {
        if (Environment.GetEnvironmentVariable(InlineSocketCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletionsVariable, "1");
        }
    }

    // A model that cannot be built, such as one naming a certificate file that is missing, is the user's to fix: one
    // line on stderr and exit code 1, as for problems found at start, rather than a stack trace. Tests get the exception.
    private static void ReportModelErrorsInOneLine()
    {
        if (Interlocked.Exchange(ref _modelErrorReporting, 1) == 0)
        {
            AppDomain.CurrentDomain.UnhandledException += (_, e) =>
            {
                if (e.ExceptionObject is DistributedApplicationException ex)
                {
                    Console.Error.WriteLine(ErrorLine(ex.Message));
                    Environment.Exit(1);
                }
            };
        }
    }

    private static int _modelErrorReporting;

    // Services that start concurrently may report their failure wrapped with the others'.
    private static DistributedApplicationException? StartupProblem(Exception exception) => exception switch
    {
        DistributedApplicationException problem => problem,
        AggregateException many => many.Flatten().InnerExceptions.OfType<DistributedApplicationException>().FirstOrDefault(),
        _ => null,
    };

    private static string ErrorLine(string message) => Console.IsErrorRedirected ? $"error: {message}" : $"\e[31merror:\e[0m {message}";

    /// <summary>
    /// Checks prerequisites, then starts every resource in dependency order; returns once the starts are
    /// under way. A problem found before anything started throws a <see cref="DistributedApplicationException"/>.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        Services.GetRequiredService<ApplicationOrchestrator>().Prepare();
        _started = true;
        await _host.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops every resource, users before what they use.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _host.StopAsync(cancellationToken);

    /// <summary>
    /// Runs until the app host is asked to stop; reports a startup problem on one line and sets a non-zero exit code.
    /// With a publisher (<c>--publisher manifest|compose|kubernetes</c>) it writes deployment files instead and starts nothing.
    /// </summary>
    public void Run() => RunAsync().GetAwaiter().GetResult();

    /// <inheritdoc cref="Run"/>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        if (_controlCommand is not null)
        {
            var socket = Control.ControlServer.SocketPath(Services.GetRequiredService<AppHostState>());
            Environment.ExitCode = await Control.ControlClient.RunAsync(socket, _controlCommand, Console.Out).ConfigureAwait(false);
            return;
        }

        try
        {
            if (Services.GetRequiredService<DistributedApplicationExecutionContext>().IsPublishMode)
            {
                await Publishing.DistributedApplicationPublisher.PublishAsync(Services, cancellationToken).ConfigureAwait(false);
                return;
            }

            await StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StartupProblem(ex) is { } problem)
        {
            await Console.Error.WriteLineAsync(ErrorLine(problem.Message)).ConfigureAwait(false);
            Environment.ExitCode = 1;
            if (_started)
            {
                // The dashboard starts alongside the resources: whatever did start before it failed is stopped again.
                await _host.StopAsync(CancellationToken.None).ConfigureAwait(false);
                RemoveEphemeralState();
            }

            return;
        }

        await _host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        RemoveEphemeralState();
        if (Services.GetRequiredService<ApplicationOrchestrator>().FailureExitCode is { } exitCode)
        {
            Environment.ExitCode = exitCode;
        }
    }

    /// <summary>An HTTP client whose base address is a project's endpoint.</summary>
    /// <param name="resourceName">The project's resource name.</param>
    /// <param name="endpointName">The endpoint's name; the first endpoint by default.</param>
    public HttpClient CreateHttpClient(string resourceName, string? endpointName = null) =>
        new() { BaseAddress = GetEndpoint(resourceName, endpointName) };

    /// <summary>The URL of a resource's endpoint.</summary>
    public Uri GetEndpoint(string resourceName, string? endpointName = null)
    {
        var endpoint = FindResource(resourceName).Annotations.OfType<EndpointAnnotation>()
            .FirstOrDefault(e => endpointName is null || e.Name == endpointName)
            ?? throw new ArgumentException($"'{resourceName}' has no endpoint named '{endpointName ?? "(any)"}'.", nameof(endpointName));
        var allocated = endpoint.AllocatedEndpoint
            ?? throw new InvalidOperationException($"'{resourceName}' has no address yet; start the application first.");
        return new Uri(allocated.Url);
    }

    /// <summary>The connection string of a resource, once it has an address.</summary>
    public ValueTask<string?> GetConnectionStringAsync(string resourceName, CancellationToken cancellationToken = default) =>
        FindResource(resourceName) is IResourceWithConnectionString resource
            ? resource.GetConnectionStringAsync(cancellationToken)
            : throw new ArgumentException($"'{resourceName}' has no connection string.", nameof(resourceName));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            await _host.StopAsync().ConfigureAwait(false);
        }

        RemoveEphemeralState();
        if (_host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            _host.Dispose();
        }
    }

    private void RemoveEphemeralState() => Services.GetRequiredService<AppHostState>().Dispose();

    private IResource FindResource(string resourceName) =>
        Services.GetRequiredService<DistributedApplicationModel>().Resources.FirstOrDefault(r => r.Name == resourceName)
        ?? throw new ArgumentException($"There is no resource named '{resourceName}'.", nameof(resourceName));
}
