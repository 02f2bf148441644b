using AddressBook.Hosting;
using AddressBook.Hosting.Testing;

namespace AddressBook.Tests.Infrastructure;

/// <summary>The whole app model of the app host, started once for the tests that share it.</summary>
public sealed class AppFixture : IAsyncLifetime
{
    public DistributedApplication App { get; private set; } = null!;

    /// <summary>A client with the read-write key.</summary>
    public HttpClient Api { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public string ReadOnlyKey => App.ReadOnlyKey();

    public string ReadWriteKey => App.ReadWriteKey();

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>();
        App = await builder.BuildAsync();
        await App.StartResourcesAsync(ResourceNames.Api);
        Api = App.CreateApiClient();
        ConnectionString = (await App.GetConnectionStringAsync(ResourceNames.Database))!;
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>The tests that share one app; those that drive the page share one browser as well.</summary>
[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "Full app";
}
