using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace AddressBook.Api.Data;

/// <summary>
/// Asks the database itself, on the data source's connections and without the DbContext's retry policy: a probe must
/// answer within its own timeout, not after a minute of retries. A failure is reported as the health check's status.
/// </summary>
internal sealed class AddressBookDatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
        return HealthCheckResult.Healthy();
    }
}
