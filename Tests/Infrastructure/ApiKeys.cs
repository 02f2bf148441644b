using AddressBook.Hosting;
using AddressBook.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace AddressBook.Tests.Infrastructure;

/// <summary>The API keys the app host generated for a test's app, and clients that present them.</summary>
public static class ApiKeys
{
    public const string HeaderName = "X-Api-Key";

    public static string ReadOnlyKey(this DistributedApplication app) => app.ParameterValue(ResourceNames.ApiReadOnlyKey);

    public static string ReadWriteKey(this DistributedApplication app) => app.ParameterValue(ResourceNames.ApiReadWriteKey);

    /// <summary>A client of the API's endpoint with the read-write key, or the key given (none when empty).</summary>
    public static HttpClient CreateApiClient(this DistributedApplication app, string? key = null, HttpMessageHandler? handler = null)
    {
        var client = handler is null ? new HttpClient() : new HttpClient(handler);
        client.BaseAddress = app.GetEndpoint(ResourceNames.Api);
        client.WithApiKey(key ?? app.ReadWriteKey());
        return client;
    }

    public static HttpClient WithApiKey(this HttpClient client, string key)
    {
        client.DefaultRequestHeaders.Remove(HeaderName);
        if (key.Length > 0)
        {
            client.DefaultRequestHeaders.Add(HeaderName, key);
        }

        return client;
    }

    private static string ParameterValue(this DistributedApplication app, string name) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>().Single(p => p.Name == name).Value;
}
