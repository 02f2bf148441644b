using AddressBook.Hosting;
using AddressBook.Hosting.Testing;

namespace AddressBook.Tests.Infrastructure;

/// <summary>The whole app model of the app host, started once for the tests that share it.</summary>
public sealed class AppFixture : IAsyncLifetime
{
    public DistributedApplication App { get; private set; } = null!;

    public HttpClient Api { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>();
        App = await builder.BuildAsync();
        await App.StartResourcesAsync(ResourceNames.Api);
        Api = App.CreateHttpClient(ResourceNames.Api);
        ConnectionString = (await App.GetConnectionStringAsync(ResourceNames.Database))!;
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "Full app";
}
