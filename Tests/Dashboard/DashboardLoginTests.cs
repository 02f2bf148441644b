using System.Net;
using AddressBook.Hosting;
using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests.Dashboard;

/// <summary>Aspire's browser-token login, and the option that turns security off for a loopback-only machine.</summary>
public sealed class DashboardLoginTests
{
    [Fact]
    public async Task Without_the_token_pages_get_a_login_form_and_the_api_a_401_with_the_token_a_session()
    {
        await using var app = await Dashboards.StartEmptyAsync();
        var dashboard = app.Dashboard();
        using var anonymous = new HttpClient { BaseAddress = dashboard.FrontendUrl };

        using var page = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Contains("""<form method="get" action="/login" """.TrimEnd(), await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var api = await anonymous.GetAsync("/api/resources");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);

        using var wrong = await anonymous.GetAsync("/login?t=0000");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        Assert.Equal("/login", dashboard.LoginUrl.AbsolutePath);
        Assert.Equal($"?t={dashboard.BrowserToken}", dashboard.LoginUrl.Query);
        using var client = await dashboard.LoginAsync();
        using var resources = await client.GetAsync("/api/resources");
        Assert.Equal(HttpStatusCode.OK, resources.StatusCode);
        using var index = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unsecured_allow_anonymous_opens_pages_and_OTLP_without_token_or_key()
    {
        await using var app = await Dashboards.StartEmptyAsync("--DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true");
        var dashboard = app.Dashboard();
        using var anonymous = new HttpClient();

        Assert.Null(dashboard.BrowserToken);
        Assert.Null(dashboard.OtlpApiKey);
        using var api = await anonymous.GetAsync(new Uri(dashboard.FrontendUrl, "/api/telemetry/stats"));
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        using var export = new HttpRequestMessage(HttpMethod.Post, new Uri(dashboard.OtlpHttpUrl, "/v1/logs")) { Content = new ByteArrayContent([]) };
        export.Content.Headers.ContentType = new("application/x-protobuf");
        using var exported = await anonymous.SendAsync(export);
        Assert.Equal(HttpStatusCode.OK, exported.StatusCode);
    }

    [Fact]
    public async Task Tests_run_without_a_dashboard_unless_they_ask_for_one()
    {
        var builder = AddressBook.Hosting.Testing.DistributedApplicationTestingBuilder.Create<Program>();
        await using var app = await builder.BuildAsync();

        Assert.Null(app.Services.GetService(typeof(AddressBook.Hosting.Dashboard.DashboardServer)));
    }
}
