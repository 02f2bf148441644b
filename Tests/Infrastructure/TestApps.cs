using AddressBook.Hosting;

namespace AddressBook.Tests.Infrastructure;

public static class TestApps
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Starts the application and waits until the named resources are healthy. A failure carries every
    /// resource's state and last output, so a red test explains itself.
    /// </summary>
    public static async Task StartResourcesAsync(this DistributedApplication app, params string[] healthyResources)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await app.StartAsync(timeout.Token);
            foreach (var name in healthyResources)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
            }
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"The application did not start: {ex.Message}{Environment.NewLine}{app.Describe()}", ex);
        }
    }

    /// <summary>Every resource's state and last lines of output.</summary>
    public static string Describe(this DistributedApplication app) =>
        string.Join(Environment.NewLine, app.ResourceNotifications.GetCurrentStates().Select(s =>
            $"[{s.Name}] {s.State} exit={s.ExitCode} health={s.HealthStatus} {s.FailureReason}{Environment.NewLine}"
            + string.Join(Environment.NewLine, app.ResourceLogs.GetTail(s.Name, 20).Select(l => "    " + l.Text))));

    public static async Task<ResourceEvent> WaitForStateAsync(this DistributedApplication app, string resource, Func<ResourceSnapshot, bool> predicate)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            return await app.ResourceNotifications.WaitForResourceAsync(resource, e => predicate(e.Snapshot), timeout.Token);
        }
        catch (OperationCanceledException ex)
        {
            throw new TimeoutException($"'{resource}' did not reach the expected state.{Environment.NewLine}{app.Describe()}", ex);
        }
    }
}
