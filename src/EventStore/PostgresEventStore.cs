using CoManagement.EventStore.Schema;
using Npgsql;

namespace CoManagement.EventStore;

/// <summary>
/// The event store on PostgreSQL. One class, one file per operation: Append, Read, Feed, Integrity (hash chain,
/// verification, seals), Archive, Bulk. The hot paths (append, stream and feed reads) use prepared statements and one round trip.
/// </summary>
public sealed partial class PostgresEventStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _feedDataSource;
    private readonly StoreNames _names;
    private readonly IReadOnlyList<IAppendListener> _listeners;
    private readonly int _maxEventsPerAppend;

    public PostgresEventStore(NpgsqlDataSource dataSource, EventStoreOptions? options = null)
    {
        options ??= new EventStoreOptions();
        if (options.MaxEventsPerAppend <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), $"EventStoreOptions.MaxEventsPerAppend is {options.MaxEventsPerAppend}: it must be positive.");
        _dataSource = dataSource;
        _feedDataSource = options.FeedDataSource ?? dataSource;
        _names = new StoreNames(options.Schema);
        _listeners = [.. options.AppendListeners];
        _maxEventsPerAppend = options.MaxEventsPerAppend;
        Sql = new StoreSql(_names);
    }

    public string Schema => _names.Schema;

    /// <summary>
    /// A data source tuned for the store: no session reset when a pooled connection is reused (DISCARD ALL would throw
    /// away the append function's cached plans and the prepared statements on every call) and automatic preparation
    /// of repeated statements.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true };
        if (builder.MaxAutoPrepare == 0)
            builder.MaxAutoPrepare = 50;
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public NpgsqlDataSource DataSource => _dataSource;

    internal StoreSql Sql { get; }

    private Guid? _storeId;

    /// <summary>The random id minted when this store was created; part of every outbox message id.</summary>
    public async Task<Guid> GetStoreIdAsync(CancellationToken ct = default)
    {
        if (_storeId is { } id)
            return id;
        await using var cmd = _dataSource.CreateCommand(_names.Render("SELECT id FROM {schema}.store_identity"));
        _storeId = (Guid)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        return _storeId.Value;
    }

    /// <summary>Creates or upgrades the store's schema; safe to call from several processes at once.</summary>
    public Task<IReadOnlyList<int>> MigrateAsync(CancellationToken ct = default) => SchemaMigrator.MigrateAsync(_dataSource, Schema, ct);
}
