using System.Collections.Immutable;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AddressBook.Hosting;

/// <summary>What is known about one process of a resource.</summary>
public sealed record ReplicaSnapshot
{
    /// <summary>The replica's name: the resource's name, with its index when there are several.</summary>
    public required string Name { get; init; }

    /// <summary>The replica's position, from 0.</summary>
    public required int Index { get; init; }

    /// <summary>One of <see cref="KnownResourceStates"/>.</summary>
    public string State { get; init; } = KnownResourceStates.NotStarted;

    /// <summary>The last health result; null until the first check.</summary>
    public HealthStatus? HealthStatus { get; init; }

    /// <summary>The operating system process id while it runs.</summary>
    public int? ProcessId { get; init; }

    /// <summary>Its OpenTelemetry <c>service.instance.id</c>.</summary>
    public string? InstanceId { get; init; }

    /// <summary>The address it listens on itself, behind the resource's endpoint.</summary>
    public string? Url { get; init; }

    /// <summary>When its current process started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>The exit code of its last process.</summary>
    public int? ExitCode { get; init; }

    /// <summary>How often it was restarted after a crash or replaced.</summary>
    public int RestartCount { get; init; }

    /// <summary>How many requests the resource's endpoint sent to its current process.</summary>
    public long RequestsServed { get; init; }

    /// <summary>Private resident memory (RssAnon) of its process at the last sample.</summary>
    public long? ResidentMemoryBytes { get; init; }

    /// <summary>Why it failed, when it did.</summary>
    public string? FailureReason { get; init; }

    /// <summary>The variables the app host gave its current process, values as they were given (secrets included).</summary>
    public ImmutableArray<EnvironmentVariableSnapshot> EnvironmentVariables { get; init; } = [];

    /// <summary>Whether the state is one it does not leave on its own.</summary>
    public bool IsTerminal => KnownResourceStates.TerminalStates.Contains(State);
}

/// <summary>One environment variable a process was started with.</summary>
/// <param name="Name">The variable's name.</param>
/// <param name="Value">Its value.</param>
public sealed record EnvironmentVariableSnapshot(string Name, string Value);
