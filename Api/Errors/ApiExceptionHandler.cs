using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace AddressBook.Api.Errors;

/// <summary>
/// Answers every exception that escapes an endpoint with RFC 9457 problem details: the client's own mistakes and
/// conflicts with their 4xx status, an unreachable database with 503 and Retry-After, anything else with a 500 that
/// shows its cause only in Development.
/// </summary>
internal sealed class ApiExceptionHandler(
    IProblemDetailsService problemDetailsService,
    IHostEnvironment environment,
    ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    private const int DatabaseRetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, detail) = Classify(exception);

        httpContext.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = DatabaseRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        return await problemDetailsService.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails { Status = status, Detail = detail },
            Exception = exception,
        });
    }

    private (int Status, string? Detail) Classify(Exception exception)
    {
        if (exception is BadHttpRequestException badRequest)
        {
            logger.LogDebug(exception, "Rejected a malformed request.");
            return (badRequest.StatusCode, badRequest.Message);
        }

        var causes = SelfAndInnerExceptions(exception).ToList();

        if (causes.OfType<PostgresException>().Any(postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation))
        {
            logger.LogInformation(exception, "A write conflicted with an existing row.");
            return (StatusCodes.Status409Conflict, "The request conflicts with data that already exists.");
        }

        if (causes.OfType<NpgsqlException>().Any(npgsql => npgsql.IsTransient))
        {
            logger.LogWarning(exception, "The database is unreachable.");
            return (StatusCodes.Status503ServiceUnavailable, "The database is unavailable. Retry later.");
        }

        logger.LogError(exception, "An unexpected error occurred.");
        return (StatusCodes.Status500InternalServerError, environment.IsDevelopment() ? exception.ToString() : null);
    }

    private static IEnumerable<Exception> SelfAndInnerExceptions(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }
}
