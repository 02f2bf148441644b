namespace AddressBook.Api.Edge;

/// <summary>Probes come from the orchestrator straight to each replica, over plain HTTP and often: the edge lets them through.</summary>
internal static class HealthProbes
{
    public static bool Matches(HttpRequest request) =>
        request.Path.StartsWithSegments(HealthEndpointPaths.Health) || request.Path.StartsWithSegments(HealthEndpointPaths.Alive);
}
