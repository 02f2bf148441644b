using AddressBook.Hosting.ApplicationModel;

namespace AddressBook.Hosting;

/// <summary>Decides whether and when a crashed process is started again, under a restart policy.</summary>
internal sealed class RestartBudget(RestartPolicyAnnotation? policy)
{
    private int _crashesInARow;

    /// <summary>How many restarts were granted in all.</summary>
    public int Restarts { get; private set; }

    public int MaxRestarts => policy?.MaxRestarts ?? 0;

    /// <summary>The wait before the next start, or null when the process is to be left failed.</summary>
    public TimeSpan? OnCrash(TimeSpan uptime)
    {
        if (policy is null)
        {
            return null;
        }

        if (uptime >= policy.ResetAfter)
        {
            _crashesInARow = 0;
        }

        if (_crashesInARow >= policy.MaxRestarts)
        {
            return null;
        }

        var backoff = policy.InitialBackoff * Math.Pow(2, _crashesInARow);
        _crashesInARow++;
        Restarts++;
        return backoff < policy.MaxBackoff ? backoff : policy.MaxBackoff;
    }
}
