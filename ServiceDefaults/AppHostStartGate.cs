using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AddressBook.ServiceDefaults;

/// <summary>
/// Lets an app host launch a service before the resources it waits for are ready, so that the runtime's start, the JIT
/// and the building of the host overlap that wait: with <see cref="VariableName"/> set, the host's start is held here,
/// before anything listens or connects, until the app host writes a line to the service's standard input. Under any
/// other orchestrator the variable is absent and nothing is held.
/// </summary>
public sealed partial class AppHostStartGate(ILogger<AppHostStartGate> logger) : IHostedLifecycleService
{
    /// <summary>Set to <c>stdin</c> by the app host on a process it launches ahead of its dependencies.</summary>
    public const string VariableName = "ADDRESSBOOK_START_GATE";

    public static bool IsRequested => Environment.GetEnvironmentVariable(VariableName) == "stdin";

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        LogHeld(logger);
        // On a worker thread: a read from the console cannot be cancelled, but waiting for it can, and the host's start
        // token is cancelled by a stop signal, which must still end the process while it is held.
        var line = await Task.Run(Console.In.ReadLine, CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (line is null)
        {
            throw new InvalidOperationException("The app host closed this service's input before letting it start.");
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Launched ahead of what it waits for; held until the app host lets it start.")]
    private static partial void LogHeld(ILogger logger);

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
