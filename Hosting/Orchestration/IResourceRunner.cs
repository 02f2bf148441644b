using AddressBook.Hosting.ApplicationModel;

namespace AddressBook.Hosting;

/// <summary>Starts and stops one resource; the orchestrator decides when.</summary>
internal interface IResourceRunner
{
    IResource Resource { get; }

    /// <summary>Problems that would make the start fail, found before anything is started.</summary>
    IEnumerable<string> Preflight();

    /// <summary>Chooses the ports of the resource's endpoints.</summary>
    void AllocateEndpoints(PortAllocator ports);

    /// <summary>
    /// Opens what the resource serves through the app host (a project's endpoint proxy) before it waits for its
    /// dependencies: clients get an answer meanwhile, and opening it is off the path to the resource's start.
    /// </summary>
    Task OpenEndpointsAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Starts the resource; returns once it runs. Health is published separately.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Stops the resource, gracefully first.</summary>
    Task StopAsync();
}

/// <summary>What every runner needs from the app host.</summary>
internal sealed record RunnerContext(
    ResourceNotificationService Notifications,
    ResourceLoggerService Logs,
    AppHostState State,
    HostingOptions Options,
    Microsoft.Extensions.Configuration.IConfiguration Configuration,
    Microsoft.Extensions.Hosting.IHostEnvironment Environment,
    DistributedApplicationExecutionContext ExecutionContext,
    DistributedApplicationModel Model,
    Microsoft.Extensions.Logging.ILogger Logger)
{
    /// <summary>Where projects send telemetry when the dashboard runs.</summary>
    public Dashboard.OtlpExportTarget Otlp { get; init; } = new();

    /// <summary>A one-line report of a resource's last output lines, to append to a failure message.</summary>
    public string TailOf(IResource resource, int lines = 15)
    {
        var tail = Logs.GetTail(resource.Name, lines);
        return tail.Count == 0
            ? $"'{resource.Name}' printed nothing."
            : $"Last lines of '{resource.Name}':{System.Environment.NewLine}" + string.Join(System.Environment.NewLine, tail.Select(l => "    " + l.Text));
    }
}
