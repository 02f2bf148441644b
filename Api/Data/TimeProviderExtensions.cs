namespace AddressBook.Api.Data;

public static class TimeProviderExtensions
{
    /// <summary>
    /// PostgreSQL stores timestamps to the microsecond and Npgsql truncates the rest, so a timestamp taken this way
    /// is the one a later read returns, and a write's response agrees with what was stored.
    /// </summary>
    public static DateTimeOffset GetUtcNowTruncatedToMicroseconds(this TimeProvider timeProvider)
    {
        var now = timeProvider.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
