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
    /// The streams the projection reads, as id prefixes, or null for all. The runner asks the feed for these only, so
    /// a projection of a few streams is not sent every event of the others (see <c>PostgresEventStore.ReadFeedAsync</c>).
    /// </summary>
    IReadOnlyList<string>? StreamPrefixes => null;

    /// <summary>
    /// Creates the projection's tables, with the keys and indexes <see cref="ApplyAsync"/> relies on, in
    /// <paramref name="schema"/>, which exists and is empty.
    /// </summary>
    Task CreateAsync(NpgsqlConnection connection, string schema, CancellationToken ct);

    /// <summary>
    /// Creates the indexes a rebuild can do without: those only readers need, and those only live batches need when the
    /// rebuild's session (<see cref="OpenSession"/>) keeps what they find in memory. A live schema gets them
    /// right after <see cref="CreateAsync"/>; a rebuild creates them once, when the shadow has caught up and before it
    /// is swapped in, instead of maintaining them row by row all the way from position 0. None by default.
    /// </summary>
    Task CreateReadIndexesAsync(NpgsqlConnection connection, string schema, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Applies a batch of events, in position order, to the tables in <paramref name="schema"/>.</summary>
    Task ApplyAsync(NpgsqlConnection connection, string schema, IReadOnlyList<RecordedEvent> events, CancellationToken ct);

    /// <summary>
    /// Opens what a chunk of batches applied to <paramref name="schema"/> keeps between its batches: in a rebuild, or
    /// while a live runner catches up (see <see cref="IProjectionSession"/>). The default keeps nothing: it applies
    /// every batch as it comes.
    /// </summary>
    /// <param name="schema">Where the batches go.</param>
    /// <param name="shadow">
    /// True for a rebuild's shadow, which nothing else reads or writes until it is swapped in: the session may then take
    /// its tables exclusively and write rows already frozen (<c>COPY … FREEZE</c>), visible to every snapshot and
    /// all-visible whatever other transactions are open — which a live table, read meanwhile, must never get.
    /// </param>
    IProjectionSession OpenSession(string schema, bool shadow) => new BatchByBatchSession(this, schema);
}

/// <summary>
/// The working state of a rebuild, or of a live runner catching up from far behind. The runner applies many batches in
/// one transaction (a chunk), then calls <see cref="FlushAsync"/> and commits it with the checkpoint. A session may hold rows in memory instead of
/// reading and writing them batch by batch — a member touched by fifty batches is then written once per chunk — as
/// long as the schema reflects every event applied once it has flushed. The runner keeps a session from one chunk to
/// the next, since after a commit what it holds equals what is stored; it drops it when a chunk fails or the tables
/// moved without it (another runner, a live batch), and the next session starts from the stored tables.
/// </summary>
public interface IProjectionSession
{
    /// <summary>Applies a batch, in position order, inside the chunk's transaction on <paramref name="connection"/>.</summary>
    Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<RecordedEvent> events, CancellationToken ct);

    /// <summary>Writes whatever the session holds back, so the tables reflect every event applied so far.</summary>
    Task FlushAsync(NpgsqlConnection connection, CancellationToken ct);
}

/// <summary>The default session: each batch applied at once, nothing held.</summary>
public sealed class BatchByBatchSession(IProjection projection, string schema) : IProjectionSession
{
    public Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<RecordedEvent> events, CancellationToken ct) =>
        projection.ApplyAsync(connection, schema, events, ct);

    public Task FlushAsync(NpgsqlConnection connection, CancellationToken ct) => Task.CompletedTask;
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
