namespace CoManagement.EventStore;

public sealed partial class PostgresEventStore
{
    /// <summary>
    /// Folds a stream into a state, optionally as of a point in its history. Returns the state and the version it
    /// reflects (the expected version for the next append when read without <paramref name="asOf"/>).
    /// </summary>
    public async Task<(TState State, long Version)> AggregateStreamAsync<TState>(
        string streamId, EventTypeRegistry registry, TState initial, Func<TState, object, TState> evolve,
        AsOf? asOf = null, CancellationToken ct = default)
    {
        var state = initial;
        var version = 0L;
        foreach (var e in await ReadStreamAsync(streamId, asOf, ct: ct).ConfigureAwait(false))
        {
            state = evolve(state, registry.Deserialize(e));
            version = e.Version;
        }
        return (state, version);
    }
}
