namespace AddressBook;

/// <summary>
/// Where every service answers its probes. The app host probes them, and the services keep their requests out of traces.
/// </summary>
public static class HealthEndpointPaths
{
    /// <summary>Healthy only when every health check passes, the database included: ready for traffic.</summary>
    public const string Health = "/health";

    /// <summary>Healthy while the process responds, whatever its dependencies do: no reason to restart it.</summary>
    public const string Alive = "/alive";
}
