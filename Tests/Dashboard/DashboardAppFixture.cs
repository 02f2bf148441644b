using AddressBook.Hosting;
using AddressBook.Hosting.Dashboard;
using AddressBook.Hosting.Testing;
using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests.Dashboard;

/// <summary>The whole app with its dashboard on, shared by the tests that read telemetry and drive the pages.</summary>
public sealed class DashboardAppFixture : IAsyncLifetime
{
    public DistributedApplication App { get; private set; } = null!;

    public HttpClient Api { get; private set; } = null!;

    /// <summary>Logged in, as the pages are.</summary>
    public HttpClient Client { get; private set; } = null!;

    internal DashboardServer Dashboard => App.Dashboard();

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(["--Replicas:api=2"], options => options.DisableDashboard = false);
        App = await builder.BuildAsync();
        await App.StartResourcesAsync(ResourceNames.Api);
        Api = App.CreateApiClient();
        Client = await Dashboard.LoginAsync();
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        Client.Dispose();
        await App.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardAppFixture>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "App with dashboard";
}
