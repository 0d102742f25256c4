using Npgsql;

namespace CoManagement.EventStore.Tests;

/// <summary>A real PostgreSQL (ES_TEST_POSTGRES, set by test.sh) and a fresh schema per test class.</summary>
public sealed class StoreFixture : IAsyncLifetime
{
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("ES_TEST_POSTGRES")
        ?? throw new InvalidOperationException("ES_TEST_POSTGRES is not set: run the tests through ./test.sh, which starts PostgreSQL.");

    public NpgsqlDataSource DataSource { get; } = NpgsqlDataSource.Create(ConnectionString);

    public string Schema { get; } = NewSchemaName();

    public PostgresEventStore Store { get; private set; } = null!;

    public static string NewSchemaName() => "t_" + Guid.NewGuid().ToString("N")[..16];

    public async ValueTask InitializeAsync()
    {
        Store = new PostgresEventStore(DataSource, new EventStoreOptions { Schema = Schema });
        await Store.MigrateAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await using (var cmd = DataSource.CreateCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE"))
            await cmd.ExecuteNonQueryAsync();
        await DataSource.DisposeAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var cmd = DataSource.CreateCommand(sql.Replace("{schema}", Schema, StringComparison.Ordinal));
        // SQL NULL arrives as DBNull: a nullable T gets null (a sequence never used has no last value yet).
        return await cmd.ExecuteScalarAsync() is { } value and not DBNull ? (T)value : default!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var cmd = DataSource.CreateCommand(sql.Replace("{schema}", Schema, StringComparison.Ordinal));
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>How many positions the sequence has handed out: burned positions show up here.</summary>
    public async Task<long> PositionsTakenAsync() =>
        await ScalarAsync<long?>("SELECT pg_sequence_last_value('{schema}.positions')") ?? 0;
}

public static class TestEvents
{
    public static readonly DateTimeOffset Monday = new(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(8));

    public static EventData Event(string type = "test.happened", string json = """{"n": 1}""", DateTimeOffset? at = null, int schemaVersion = 1) =>
        new(type, schemaVersion, json, at ?? Monday, new EventMetadata(Guid.NewGuid(), null, "tester", "org-1", "outflow"));

    public static EventData[] Events(int count, string prefix = "e") =>
        [.. Enumerable.Range(1, count).Select(i => Event(json: $$"""{"id": "{{prefix}}{{i}}"}"""))];

    public static string NewStream(string prefix = "s") => $"{prefix}-{Guid.NewGuid():N}";
}
