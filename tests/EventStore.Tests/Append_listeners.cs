using Npgsql;
using static CoManagement.EventStore.Tests.TestEvents;

namespace CoManagement.EventStore.Tests;

public sealed class Append_listeners : IAsyncLifetime
{
    private readonly StoreFixture _db = new();
    private readonly RecordingListener _listener = new();
    private PostgresEventStore _store = null!;

    private sealed class RecordingListener : IAppendListener
    {
        public bool Fail { get; set; }

        public async Task OnAppendedAsync(NpgsqlConnection connection, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
        {
            foreach (var e in events)
            {
                await using var cmd = new NpgsqlCommand("INSERT INTO inline_log (stream_id, version) VALUES ($1, $2)", connection);
                cmd.Parameters.Add(new() { Value = e.StreamId });
                cmd.Parameters.Add(new() { Value = e.Version });
                await cmd.ExecuteNonQueryAsync(ct);
            }
            if (Fail)
                throw new InvalidOperationException("projection failed");
        }
    }

    public async ValueTask InitializeAsync()
    {
        await _db.InitializeAsync();
        var options = new EventStoreOptions { Schema = _db.Schema };
        options.AppendListeners.Add(_listener);
        _store = new PostgresEventStore(NpgsqlDataSource.Create(StoreFixture.ConnectionString + $";Search Path={_db.Schema}"), options);
        await _db.ExecuteAsync("CREATE TABLE {schema}.inline_log (stream_id text, version bigint)");
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task a_listener_writes_in_the_append_transaction()
    {
        var stream = NewStream();
        await _store.AppendAsync(stream, ExpectedVersion.NoStream, Events(2));
        (await _db.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.inline_log WHERE stream_id = '{stream}'")).ShouldBe(2);
    }

    [Fact]
    public async Task a_failing_listener_rolls_the_append_back()
    {
        var stream = NewStream();
        _listener.Fail = true;
        await Should.ThrowAsync<InvalidOperationException>(() => _store.AppendAsync(stream, ExpectedVersion.NoStream, Events(2)));
        (await _store.StreamExistsAsync(stream)).ShouldBeFalse();
        (await _db.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.inline_log WHERE stream_id = '{stream}'")).ShouldBe(0);
    }

    [Fact]
    public async Task a_repeated_command_does_not_run_the_listener_again()
    {
        var stream = NewStream();
        var command = Guid.NewGuid();
        await _store.AppendAsync(stream, ExpectedVersion.NoStream, Events(1), command);
        await _store.AppendAsync(stream, ExpectedVersion.NoStream, Events(1), command);
        (await _db.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.inline_log WHERE stream_id = '{stream}'")).ShouldBe(1);
    }
}
