using System.Collections.Immutable;
using AddressBook.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AddressBook.Hosting;

/// <summary>The lifecycle states of a resource, named as Aspire names them.</summary>
public static class KnownResourceStates
{
    /// <summary>Known to the model, not asked to start yet.</summary>
    public const string NotStarted = "NotStarted";

    /// <summary>Held back until the resources it waits for are ready.</summary>
    public const string Waiting = "Waiting";

    /// <summary>Its process is being launched or its server initialised.</summary>
    public const string Starting = "Starting";

    /// <summary>Its process runs; health is reported separately.</summary>
    public const string Running = "Running";

    /// <summary>Being stopped on request.</summary>
    public const string Stopping = "Stopping";

    /// <summary>Ran to completion with exit code 0, or was stopped on request.</summary>
    public const string Finished = "Finished";

    /// <summary>Its process ended on its own with a non-zero exit code.</summary>
    public const string Exited = "Exited";

    /// <summary>Could not be started: a launch error, or a dependency that failed.</summary>
    public const string FailedToStart = "FailedToStart";

    /// <summary>States a resource does not leave without being started again.</summary>
    public static readonly ImmutableHashSet<string> TerminalStates = [Finished, Exited, FailedToStart];
}

/// <summary>What is known about a resource at one moment.</summary>
public sealed record ResourceSnapshot
{
    /// <summary>The resource's name.</summary>
    public required string Name { get; init; }

    /// <summary>A short type name, such as <c>Project</c> or <c>PostgresServer</c>.</summary>
    public required string ResourceType { get; init; }

    /// <summary>One of <see cref="KnownResourceStates"/>.</summary>
    public string State { get; init; } = KnownResourceStates.NotStarted;

    /// <summary>The last health result; null while health has not been established.</summary>
    public HealthStatus? HealthStatus { get; init; }

    /// <summary>The exit code of the process once it has ended.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The operating system process id while it runs.</summary>
    public int? ProcessId { get; init; }

    /// <summary>When the current process started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the process ended.</summary>
    public DateTimeOffset? StoppedAt { get; init; }

    /// <summary>The URLs the resource can be reached at.</summary>
    public ImmutableArray<string> Urls { get; init; } = [];

    /// <summary>The processes of a project, one per replica.</summary>
    public ImmutableArray<ReplicaSnapshot> Replicas { get; init; } = [];

    /// <summary>How often the resource's processes were restarted after a crash or replaced.</summary>
    public int RestartCount { get; init; }

    /// <summary>Why the resource failed, in one line, when it did.</summary>
    public string? FailureReason { get; init; }

    /// <summary>Whether the state is one the resource does not leave on its own.</summary>
    public bool IsTerminal => KnownResourceStates.TerminalStates.Contains(State);
}

/// <summary>A change of one resource's snapshot.</summary>
public sealed record ResourceEvent(IResource Resource, ResourceSnapshot Snapshot);
