namespace AddressBook.Hosting.Dashboard;

/// <summary>
/// Finds which replica a <c>service.instance.id</c> belongs to, so telemetry is shown under the names the resources
/// page uses (<c>api-2</c>). Asked once per new telemetry resource, when that replica has just started.
/// </summary>
internal sealed class ReplicaNames(ResourceNotificationService notifications)
{
    public string? NameOf(string instanceId) =>
        notifications.GetCurrentStates().SelectMany(s => s.Replicas).FirstOrDefault(r => r.InstanceId == instanceId)?.Name;
}
