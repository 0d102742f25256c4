using Npgsql;

namespace CoManagement.EventStore.Projections;

/// <summary>
/// An asynchronous projection: read-model tables in a schema of its own, fed from the global feed in batches.
/// The runner calls <see cref="ApplyAsync"/> inside the transaction that also moves the checkpoint, so a batch is
/// applied exactly once. Rebuilds write the same tables in a shadow schema that is swapped in when caught up.
/// </summary>
public interface IProjection
{
    /// <summary>Stable name: the checkpoint key and the suffix of the projection's schema.</summary>
    string Name { get; }

    /// <summary>
    /// The version of the projection's tables and of what <see cref="ApplyAsync"/> writes into them. Raise it whenever
    /// either changes: live tables built by an older version are then rebuilt (<c>ProjectionCatalog.EnsureCreatedAsync</c>)
    /// before anything writes into them.
    /// </summary>
    int Version => 1;

    /// <summary>
    /// Creates the projection's tables, with the keys and indexes <see cref="ApplyAsync"/> relies on, in
    /// <paramref name="schema"/>, which exists and is empty.
    /// </summary>
    Task CreateAsync(NpgsqlConnection connection, string schema, CancellationToken ct);

    /// <summary>
    /// Creates the indexes only readers need. A live schema gets them right after <see cref="CreateAsync"/>; a rebuild
    /// creates them once, when the shadow has caught up and before it is swapped in, instead of maintaining them row by
    /// row all the way from position 0. None by default.
    /// </summary>
    Task CreateReadIndexesAsync(NpgsqlConnection connection, string schema, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Applies a batch of events, in position order, to the tables in <paramref name="schema"/>.</summary>
    Task ApplyAsync(NpgsqlConnection connection, string schema, IReadOnlyList<RecordedEvent> events, CancellationToken ct);
}

public sealed record ProjectionStatus(
    string Name,
    long Position,
    long Head,
    double LagSeconds,
    string? Owner,
    long Fence,
    DateTimeOffset? LeaseExpiresAt,
    long? RebuildPosition)
{
    public long LagPositions => Math.Max(0, Head - Position);
    public bool Rebuilding => RebuildPosition is not null;
}

/// <summary>The runner no longer owns the projection: another runner took the lease, so this one must stop writing.</summary>
public sealed class ProjectionOwnershipLostException(string name, string owner)
    : EventStoreException($"Projection '{name}' is no longer owned by '{owner}'; its batch was rolled back.");
