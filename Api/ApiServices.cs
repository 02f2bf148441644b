using AddressBook.Api.Contacts;
using AddressBook.Api.Data;
using AddressBook.Api.Errors;
using OpenTelemetry.Trace;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AddressBook.Api;

public static class ApiServices
{
    public static IHostApplicationBuilder AddApiServices(this IHostApplicationBuilder builder)
    {
        // A client waits for an answer: ride out a blip with one quick retry, then answer 503 with Retry-After
        // and let the client decide, rather than hold its request open while the database restarts.
        builder.AddAddressBookDbContext(npgsql => npgsql.EnableRetryOnFailure(
            maxRetryCount: 1,
            maxRetryDelay: TimeSpan.FromMilliseconds(500),
            errorCodesToAdd: null));
        builder.Services.AddOpenApi();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SearchIndexer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SearchIndexer>());
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(SearchIndexer.ActivitySourceName));

        // Outside Development, minimal APIs answer a request they cannot bind with a bare 400. Throwing instead lets
        // ApiExceptionHandler answer in every environment with problem details that say what was wrong.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

        return builder;
    }
}
