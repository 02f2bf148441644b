using System.Diagnostics;
using AddressBook.Api.Data;
using Npgsql;

namespace AddressBook.Api.Contacts;

/// <summary>
/// Computes the search texts a large import left for after its commit (<see cref="SearchIndexing"/>), a batch per
/// transaction, so its contacts become searchable batch by batch while the API answers. Every replica runs one: a
/// batch is claimed with <c>FOR UPDATE SKIP LOCKED</c>, so replicas share the work and none does a batch twice, and
/// a replica that stops mid-batch leaves it to the others (its transaction rolls back). The importing replica wakes
/// its own at once; the others look every <see cref="PollInterval"/>, as they do when they start.
/// </summary>
public sealed class SearchIndexer(NpgsqlDataSource dataSource, ILogger<SearchIndexer> logger) : BackgroundService
{
    public const string ActivitySourceName = "AddressBook.Api.SearchIndexing";

    /// <summary>About a second of PostgreSQL's work: short enough that a stop loses little, long enough to cost little per batch.</summary>
    public const int BatchSize = 20_000;

    private const int BatchTimeoutSeconds = 600;

    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(10);

    private static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    private readonly SemaphoreSlim wake = new(0, 1);

    /// <summary>Has the indexer look for work now rather than at its next poll.</summary>
    public void Wake()
    {
        try
        {
            wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken: one look finds all the work there is.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                long indexed = 0;
                while (await IndexNextBatchAsync(stoppingToken) is { } added)
                {
                    indexed += added;
                }

                if (indexed > 0)
                {
                    await AnalyzeAsync(indexed, stoppingToken);
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The database restarting, or not migrated yet: the backlog waits in it, and the next look resumes.
                logger.LogWarning("Indexing imported contacts for search failed, trying again within {Seconds} s: {Reason}", PollInterval.TotalSeconds, exception.Message);
            }

            await wake.WaitAsync(PollInterval, stoppingToken);
        }
    }

    /// <summary>Indexes the next batch of the backlog; null when there was none to claim.</summary>
    private async Task<long?> IndexNextBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        int entry, afterId, throughId;
        await using (var claim = new NpgsqlCommand(
            $"""SELECT id, after_id, through_id FROM public."{SearchIndexing.BacklogTable}" ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED""", connection, transaction))
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            (entry, afterId, throughId) = (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2));
        }

        var batchEnd = (int)Math.Min((long)afterId + BatchSize, throughId);
        using var activity = ActivitySource.StartActivity("Index contacts for search");
        activity?.SetTag("addressbook.search.after_id", afterId);
        activity?.SetTag("addressbook.search.through_id", batchEnd);

        await using var index = new NpgsqlCommand($"SELECT public.{SearchIndexing.IndexRangeFunction}($1, $2)", connection, transaction)
        {
            CommandTimeout = BatchTimeoutSeconds,
            Parameters = { new() { Value = afterId }, new() { Value = batchEnd } },
        };
        var added = (long)(await index.ExecuteScalarAsync(cancellationToken))!;

        await using var advance = new NpgsqlCommand(
            batchEnd == throughId
                ? $"""DELETE FROM public."{SearchIndexing.BacklogTable}" WHERE id = $1"""
                : $"""UPDATE public."{SearchIndexing.BacklogTable}" SET after_id = $2 WHERE id = $1""",
            connection,
            transaction)
        {
            Parameters = { new() { Value = entry }, new() { Value = batchEnd } },
        };
        await advance.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        activity?.SetTag("addressbook.search.indexed", added);
        return added;
    }

    /// <summary>
    /// Texts just written leave the planner's statistics describing the table before them, and a search is planned for
    /// matches that are not there; see <see cref="ContactImport"/>'s own analysing of the contacts.
    /// </summary>
    private async Task AnalyzeAsync(long indexed, CancellationToken cancellationToken)
    {
        const long FewTexts = 1000;
        if (indexed < FewTexts)
        {
            return;
        }

        await using var analyze = dataSource.CreateCommand(
            $"""ANALYZE public."{PersonSearchTextConfiguration.TableName}", public."{SearchWordConfiguration.TableName}" """);
        analyze.CommandTimeout = BatchTimeoutSeconds;
        await analyze.ExecuteNonQueryAsync(cancellationToken);
        logger.LogInformation("Indexed {Count} imported contacts for search.", indexed);
    }
}
