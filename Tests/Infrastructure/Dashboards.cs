using System.Net;
using AddressBook.Hosting;
using AddressBook.Hosting.Dashboard;
using AddressBook.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AddressBook.Tests.Infrastructure;

/// <summary>Starting an app with its dashboard on, and talking to the dashboard as its pages do.</summary>
internal static class Dashboards
{
    /// <summary>An app with no resources but its dashboard: a bare OTLP receiver for decoding tests.</summary>
    public static async Task<DistributedApplication> StartEmptyAsync(params string[] args)
    {
        var builder = DistributedApplicationTestingBuilder.Create<Program>(args, options => options.DisableDashboard = false);
        var app = await builder.BuildAsync();
        await app.StartAsync();
        return app;
    }

    public static DashboardServer Dashboard(this DistributedApplication app) => app.Services.GetRequiredService<DashboardServer>();

    /// <summary>A client that opened the login link, so it carries the session cookie the pages use.</summary>
    public static async Task<HttpClient> LoginAsync(this DashboardServer dashboard)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = dashboard.FrontendUrl,
        };
        using var login = await client.GetAsync(dashboard.LoginUrl);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        return client;
    }

    /// <summary>Asks until the answer satisfies the condition: telemetry arrives on the exporters' schedule.</summary>
    public static async Task<T> PollAsync<T>(Func<Task<T>> ask, Func<T, bool> satisfied, string what, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        var last = default(T);
        while (!deadline.IsCancellationRequested)
        {
            last = await ask();
            if (satisfied(last))
            {
                return last;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The dashboard never showed {what}. Last answer: {System.Text.Json.JsonSerializer.Serialize(last)}");
    }
}
