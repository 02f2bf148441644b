using Microsoft.Extensions.Hosting;

namespace AddressBook.Hosting.Testing;

/// <summary>A host lifetime that leaves Ctrl+C and SIGTERM to the test runner.</summary>
internal sealed class TestHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
