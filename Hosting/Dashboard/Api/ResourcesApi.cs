using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace AddressBook.Hosting.Dashboard.Api;

/// <summary>A console line as the console logs page shows it; the text keeps its ANSI colors for the page to render.</summary>
internal sealed record ConsoleLineView(long Sequence, DateTimeOffset Timestamp, string Resource, string Source, string Text, bool IsError)
{
    public static ConsoleLineView Of(ResourceLogLine line) => new(line.Sequence, line.Timestamp, line.ResourceName, line.Source, line.Text, line.IsErrorStream);
}

/// <summary>Resources, their commands and their console output.</summary>
internal static class ResourcesApi
{
    public const int MaxConsoleLines = 5_000;

    public static RouteGroupBuilder MapDashboardResources(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Resources");
        group.MapGet("/resources", (ResourceViews views, ProcessUsageSampler usage) => TypedResults.Ok(views.All(usage.Sample())));
        group.MapPost("/resources/{name}/commands/{command}", ExecuteCommandAsync);
        group.MapGet("/console", GetConsole);
        return group;
    }

    private static async Task<Results<Ok<ResourceView>, NotFound, ProblemHttpResult>> ExecuteCommandAsync(
        string name, string command, ApplicationOrchestrator orchestrator, ResourceNotificationService notifications, ResourceViews views,
        ProcessUsageSampler usage, CancellationToken cancellationToken)
    {
        try
        {
            await orchestrator.ExecuteCommandAsync(name, command, cancellationToken);
        }
        catch (KeyNotFoundException)
        {
            return TypedResults.NotFound();
        }
        catch (NotSupportedException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest);
        }
        catch (InvalidOperationException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict);
        }

        var resource = notifications.GetCurrentStates().FirstOrDefault(s => s.Name == name || s.Replicas.Any(r => r.Name == name));
        return resource is null ? TypedResults.NotFound() : TypedResults.Ok(views.Of(resource, usage.Current));
    }

    private static Results<Ok<ConsoleLineView[]>, ValidationProblem> GetConsole(ResourceLoggerService logs, string? resource, int? limit)
    {
        if (limit is < 1 or > MaxConsoleLines)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"Between 1 and {MaxConsoleLines}."] });
        }

        var lines = string.IsNullOrEmpty(resource) ? logs.GetAllTail(limit ?? MaxConsoleLines) : logs.GetTail(resource, limit ?? MaxConsoleLines);
        return TypedResults.Ok(lines.Select(ConsoleLineView.Of).ToArray());
    }
}
