namespace AddressBook.Hosting;

/// <summary>The commands resources accept, named as Aspire names them.</summary>
public static class KnownResourceCommands
{
    /// <summary>
    /// Restarts a resource. For a project this is a rolling restart: each replica is replaced in turn by
    /// a new process that becomes healthy before the old one drains, so requests keep being served.
    /// </summary>
    public const string Restart = "resource-restart";

    /// <summary>Stops a resource's processes, or one replica's; the resource's endpoint stays and answers 503 meanwhile.</summary>
    public const string Stop = "resource-stop";

    /// <summary>Starts a resource's processes, or one replica's, that are not running.</summary>
    public const string Start = "resource-start";
}

/// <summary>Runs commands on the resources of a running application.</summary>
public sealed class ResourceCommandService
{
    private readonly ApplicationOrchestrator _orchestrator;

    internal ResourceCommandService(ApplicationOrchestrator orchestrator) => _orchestrator = orchestrator;

    /// <summary>Runs a command; completes when it has taken effect.</summary>
    /// <param name="resourceName">The resource's name, or one replica's (<c>api-2</c>).</param>
    /// <param name="commandName">One of <see cref="KnownResourceCommands"/>.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    public Task ExecuteCommandAsync(string resourceName, string commandName, CancellationToken cancellationToken = default) =>
        _orchestrator.ExecuteCommandAsync(resourceName, commandName, cancellationToken);
}
