using CoManagement.EventStore;
using Npgsql;

namespace CoManagement.Bench;

/// <summary>
/// The engine, used as an application (the Host) does: one <see cref="PostgresEventStore"/> on the pooled data source
/// <see cref="PostgresEventStore.CreateDataSource"/> makes from the connection string.
/// </summary>
public sealed class OursTarget(string connectionString, string name = "ours", bool withCommandIds = false, string schema = "event_store") : ITarget
{
    private readonly NpgsqlDataSource _dataSource = PostgresEventStore.CreateDataSource(connectionString);
    private readonly NpgsqlDataSource _feedDataSource = PostgresEventStore.CreateDataSource(connectionString);

    public string Name => name;

    public PostgresEventStore Store { get; private set; } = null!;

    public string SizeSql => $"""
        SELECT sum(pg_total_relation_size(c.oid))::bigint, (SELECT count(*) FROM {schema}.events)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema}' AND c.relkind = 'r'
        """;

    public async Task CreateSchemaAsync()
    {
        Store = new PostgresEventStore(_dataSource, new EventStoreOptions { Schema = schema, FeedDataSource = _feedDataSource });
        await Store.MigrateAsync();
    }

    public Task<ISession> OpenSessionAsync() => Task.FromResult<ISession>(new Session(Store, withCommandIds));

    public async ValueTask DisposeAsync()
    {
        await _feedDataSource.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    private sealed class Session(PostgresEventStore store, bool withCommandIds) : ISession
    {
        public async Task AppendOneAsync(string stream, int v)
        {
            var result = await store.AppendAsync(stream, ExpectedVersion.Exactly(v), [Payload.Event(stream, v)],
                withCommandIds ? Guid.CreateVersion7() : null);
            if (result.ToVersion != v + 1)
                throw new InvalidOperationException($"ours: {stream} is at {result.ToVersion}, expected {v + 1}");
        }

        public async Task AppendNewStreamAsync(string stream, int count)
        {
            var result = await store.AppendAsync(stream, ExpectedVersion.NoStream, Payload.Events(stream, count));
            if (result.ToVersion != count)
                throw new InvalidOperationException($"ours: batch to {stream} incomplete");
        }

        public async Task<int> ReadStreamAsync(string stream) => (await store.ReadStreamAsync(stream)).Count;

        public async Task<(int Count, long Next)> ReadPageAsync(long after, int max)
        {
            var page = await store.ReadFeedAsync(after, max);
            return (page.Events.Count, page.NextAfter);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
