using System.Text.RegularExpressions;
using AddressBook.Hosting.ApplicationModel;

namespace AddressBook.Hosting.Dashboard.Api;

/// <summary>A resource as the resources page shows it.</summary>
internal sealed record ResourceView(
    string Name, string Type, string State, string? Health, int? ProcessId, DateTimeOffset? StartedAt, DateTimeOffset? StoppedAt, int? ExitCode,
    int RestartCount, IReadOnlyList<string> Urls, string? FailureReason, IReadOnlyList<ReplicaView> Replicas, IReadOnlyList<string> Commands,
    ProcessUsage? Usage, string? Value);

internal sealed record ReplicaView(
    string Name, int Index, string State, string? Health, int? ProcessId, string? InstanceId, string? Url, DateTimeOffset? StartedAt, int? ExitCode,
    int RestartCount, long RequestsServed, string? FailureReason, ProcessUsage? Usage, IReadOnlyList<EnvironmentVariableSnapshot> Environment,
    IReadOnlyList<string> Commands);

/// <summary>Builds resource views with every secret masked: the values of secret parameters, and what names and connection strings mark as secret.</summary>
internal sealed partial class ResourceViews(DistributedApplicationModel model, ResourceNotificationService notifications, ApplicationOrchestrator orchestrator)
{
    public const string Mask = "••••••••";

    public IReadOnlyList<ResourceView> All(IReadOnlyDictionary<int, ProcessUsage> usage)
    {
        var order = model.Resources.Select((r, i) => (r.Name, i)).ToDictionary(p => p.Name, p => p.i);
        return [.. notifications.GetCurrentStates().OrderBy(s => order.GetValueOrDefault(s.Name, int.MaxValue)).Select(s => Of(s, usage))];
    }

    public ResourceView Of(ResourceSnapshot snapshot, IReadOnlyDictionary<int, ProcessUsage> usage)
    {
        var parameter = model.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == snapshot.Name);
        return new ResourceView(
            snapshot.Name, snapshot.ResourceType, snapshot.State, snapshot.HealthStatus?.ToString(), snapshot.ProcessId, snapshot.StartedAt, snapshot.StoppedAt,
            snapshot.ExitCode, snapshot.RestartCount, snapshot.Urls, snapshot.FailureReason,
            [.. snapshot.Replicas.Select(r => new ReplicaView(
                r.Name, r.Index, r.State, r.HealthStatus?.ToString(), r.ProcessId, r.InstanceId, r.Url, r.StartedAt, r.ExitCode, r.RestartCount,
                r.RequestsServed, r.FailureReason, r.ProcessId is { } pid ? usage.GetValueOrDefault(pid) : null,
                [.. r.EnvironmentVariables.Select(v => v with { Value = MaskSecrets(v.Name, v.Value) })],
                orchestrator.CommandsOf(r.Name)))],
            orchestrator.CommandsOf(snapshot.Name),
            snapshot.ProcessId is { } processId ? usage.GetValueOrDefault(processId) : null,
            parameter is { IsResolved: true } ? (parameter.Secret ? Mask : parameter.Value) : null);
    }

    /// <summary>The value with every secret in it replaced by a mask.</summary>
    public string MaskSecrets(string name, string value)
    {
        if (SecretName().IsMatch(name))
        {
            return Mask;
        }

        foreach (var secret in model.Resources.OfType<ParameterResource>().Where(p => p.Secret && p.IsResolved && p.Value.Length > 0))
        {
            value = value.Replace(secret.Value, Mask, StringComparison.Ordinal);
        }

        value = ConnectionStringPassword().Replace(value, m => m.Groups[1].Value + Mask);
        return ApiKeyHeader().Replace(value, m => m.Groups[1].Value + Mask);
    }

    [GeneratedRegex("PASSWORD|PASSWD|PWD|SECRET|KEY|TOKEN|CREDENTIAL", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"((?:^|;)\s*(?:password|pwd)\s*=\s*)[^;]*", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionStringPassword();

    [GeneratedRegex(@"((?:api-key|apikey|token|authorization)=)[^,;&]*", RegexOptions.IgnoreCase)]
    private static partial Regex ApiKeyHeader();
}
