namespace CoManagement.EventStore;

public sealed class EventStoreOptions
{
    /// <summary>The PostgreSQL schema holding the store's tables and functions.</summary>
    public string Schema { get; init; } = "event_store";

    /// <summary>Work run in the append transaction (inline projections, outbox), in order.</summary>
    public IList<IAppendListener> AppendListeners { get; } = [];

    /// <summary>A guard against runaway appends; bulk imports go through <c>BulkImportAsync</c>.</summary>
    public int MaxEventsPerAppend { get; init; } = 10_000;
}

/// <summary>Runs inside the append transaction with the events just written; an exception rolls the append back.</summary>
public interface IAppendListener
{
    Task OnAppendedAsync(Npgsql.NpgsqlConnection connection, IReadOnlyList<RecordedEvent> events, CancellationToken ct);
}
