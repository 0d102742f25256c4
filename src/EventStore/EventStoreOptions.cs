namespace CoManagement.EventStore;

public sealed class EventStoreOptions
{
    /// <summary>The PostgreSQL schema holding the store's tables and functions.</summary>
    public string Schema { get; init; } = "event_store";

    /// <summary>Work run in the append transaction (inline projections, outbox), in order.</summary>
    public IList<IAppendListener> AppendListeners { get; } = [];

    /// <summary>A guard against runaway appends; bulk imports go through <c>BulkImportAsync</c>.</summary>
    public int MaxEventsPerAppend { get; init; } = 10_000;

    /// <summary>
    /// Where <c>ReadFeedAsync</c> takes its connections (default: the store's data source). A pool of its own keeps the
    /// feed's readers (projection runners) on the few connections that only they use: Npgsql hands idle connections out
    /// in FIFO order, so on the shared pool a reader that follows a burst of concurrent writers cycles through all of
    /// their connections, page after page (bench/README.md, W5).
    /// </summary>
    public Npgsql.NpgsqlDataSource? FeedDataSource { get; init; }
}

/// <summary>Runs inside the append transaction with the events just written; an exception rolls the append back.</summary>
public interface IAppendListener
{
    Task OnAppendedAsync(Npgsql.NpgsqlConnection connection, IReadOnlyList<RecordedEvent> events, CancellationToken ct);
}
