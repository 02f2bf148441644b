using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;

namespace AddressBook.Api.Data;

public static class AddressBookDbContextRegistration
{
    private static readonly TimeSpan HealthCheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Registers a pooled <see cref="AddressBookDbContext"/> on the connection string named
    /// <see cref="ResourceNames.Database"/>, with retries on transient failures, and a health check tagged "ready"
    /// that queries the database.
    /// </summary>
    /// <param name="configureNpgsql">Runs after the defaults, so it can replace them, the retry policy included.</param>
    public static IHostApplicationBuilder AddAddressBookDbContext(
        this IHostApplicationBuilder builder,
        Action<NpgsqlDbContextOptionsBuilder>? configureNpgsql = null)
    {
        var connectionString = builder.Configuration.GetConnectionString(ResourceNames.Database);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"Connection string '{ResourceNames.Database}' is not configured. Set 'ConnectionStrings:{ResourceNames.Database}' "
                + $"(environment variable ConnectionStrings__{ResourceNames.Database}).");
        }

        // One data source, so the DbContext and the health check share one connection pool.
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(WithSearchSettings(connectionString)));

        builder.Services.AddDbContextPool<AddressBookDbContext>((services, options) => options
            .UseNpgsql(services.GetRequiredService<NpgsqlDataSource>(), npgsql =>
            {
                // Connections drop while PostgreSQL starts, restarts or fails over; retrying rides that out.
                npgsql.EnableRetryOnFailure();
                configureNpgsql?.Invoke(npgsql);
            })
            // A failed command reaches its caller as an exception, which the caller logs once, at the level it deserves:
            // a duplicate id the client chose is no error of the service's.
            .ConfigureWarnings(warnings => warnings.Log(
                (RelationalEventId.CommandError, LogLevel.Debug),
                (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                (CoreEventId.QueryIterationFailed, LogLevel.Debug))));

        builder.Services.AddHealthChecks().AddCheck<AddressBookDatabaseHealthCheck>(
            "database",
            HealthStatus.Unhealthy,
            ["ready"],
            HealthCheckTimeout);

        return builder;
    }

    /// <summary>
    /// pg_trgm's default word similarity threshold (0.6) misses common typos ("jonson" is 0.5 of "johnson"); it is set per
    /// session, so the search needs no database-level privilege, and the trigram index still answers the comparison.
    /// </summary>
    private static string WithSearchSettings(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        settings.Options = $"{settings.Options} -c pg_trgm.word_similarity_threshold={ContactSearch.WordSimilarityThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}".Trim();
        return settings.ConnectionString;
    }
}
