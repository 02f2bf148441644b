namespace AddressBook.Hosting.ApplicationModel;

/// <summary>What the application host was asked to do.</summary>
public enum DistributedApplicationOperation
{
    /// <summary>Start every resource and keep them running.</summary>
    Run,

    /// <summary>Write deployment files for the model without starting anything.</summary>
    Publish,
}

/// <summary>Tells resources and callbacks whether the application is running or being published.</summary>
public sealed class DistributedApplicationExecutionContext(DistributedApplicationOperation operation)
{
    /// <summary>The operation in progress.</summary>
    public DistributedApplicationOperation Operation { get; } = operation;

    /// <summary>True when resources are being started.</summary>
    public bool IsRunMode => Operation == DistributedApplicationOperation.Run;

    /// <summary>True when deployment files are being written.</summary>
    public bool IsPublishMode => Operation == DistributedApplicationOperation.Publish;
}
