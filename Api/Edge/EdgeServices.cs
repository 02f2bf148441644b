using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace AddressBook.Api.Edge;

/// <summary>
/// What a CDN and a web firewall did for the serverless site: keys, per-client rate limits, body size limits,
/// security headers and HTTPS, all in the service so that they hold wherever it is deployed.
/// </summary>
public static class EdgeServices
{
    public static IHostApplicationBuilder AddEdgeServices(this IHostApplicationBuilder builder)
    {
        var keys = builder.Configuration.GetSection(ApiKeyOptions.SectionName);
        builder.Services.Configure<ApiKeyOptions>(keys);
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        var enforced = keys.Get<ApiKeyOptions>()?.IsEnforced ?? false;
        builder.Services.AddAuthorization(options => ApiKeyAccess.AddPolicies(options, enforced));

        var limits = builder.Configuration.GetSection(ClientRateLimitOptions.SectionName).Get<ClientRateLimitOptions>() ?? new ClientRateLimitOptions();
        builder.Services.AddRateLimiter(options => ClientRateLimiting.Configure(options, limits));

        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = RequestBodyLimits.DefaultBytes;
            kestrel.AddServerHeader = false;
        });

        // Behind the app host's proxy (ASPNETCORE_FORWARDEDHEADERS_ENABLED) the host a client asked for is needed too,
        // so that redirects to HTTPS and Location headers name it rather than the replica's loopback address.
        builder.Services.Configure<ForwardedHeadersOptions>(options => options.ForwardedHeaders |= ForwardedHeaders.XForwardedHost);

        return builder;
    }

    /// <summary>
    /// Security headers on everything; rate limits before anything else is done for a request, so that floods and key
    /// guessing are limited alike; with an HTTPS port (ASPNETCORE_HTTPS_PORT), HSTS outside Development and plain HTTP
    /// redirected, health probes excepted; then keys.
    /// </summary>
    public static WebApplication UseEdge(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseRateLimiter();
        if (!string.IsNullOrEmpty(app.Configuration["HTTPS_PORT"]))
        {
            if (!app.Environment.IsDevelopment())
            {
                app.UseHsts();
            }

            app.UseWhen(context => !HealthProbes.Matches(context.Request), https => https.UseHttpsRedirection());
        }

        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
