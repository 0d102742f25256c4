using CoManagement.EventStore.Outbox;
using Npgsql;
using static CoManagement.EventStore.Tests.TestEvents;

namespace CoManagement.EventStore.Tests;

public sealed class Outbox_writer_and_relay : IAsyncLifetime
{
    private readonly StoreFixture _db = new();
    private PostgresEventStore _store = null!;
    private OutboxRelay _relay = null!;

    public async ValueTask InitializeAsync()
    {
        await _db.InitializeAsync();
        var options = new EventStoreOptions { Schema = _db.Schema };
        options.AppendListeners.Add(new OutboxWriter(_db.Schema, e => e.Type == "test.happened"
            ? [new OutboxMessage("TestHappened", $$"""{"stream": "{{e.StreamId}}", "version": {{e.Version}}}""", "inflow")]
            : []));
        _store = new PostgresEventStore(_db.DataSource, options);
        _relay = new OutboxRelay(_db.DataSource, _db.Schema);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task messages_are_written_with_their_events_and_published_in_order_once()
    {
        var stream = NewStream();
        await _store.AppendAsync(stream, ExpectedVersion.NoStream, [.. Events(2), Event("test.ignored")]);
        (await _relay.CountPendingAsync()).ShouldBe(2);

        var published = new List<PendingMessage>();
        (await _relay.PublishBatchAsync((m, _) => { published.Add(m); return Task.CompletedTask; })).ShouldBe(2);
        published.Select(m => m.PayloadJson).ShouldBe([$$"""{"stream": "{{stream}}", "version": 1}""", $$"""{"stream": "{{stream}}", "version": 2}"""]);
        (await _relay.PublishBatchAsync((m, _) => { published.Add(m); return Task.CompletedTask; })).ShouldBe(0);
        (await _relay.CountPendingAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task a_rolled_back_append_leaves_no_message()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await _store.AppendAsync(connection, [new StreamWrite(NewStream(), ExpectedVersion.NoStream, Events(1))]);
            await tx.RollbackAsync();
        }
        (await _relay.CountPendingAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task a_failed_publish_is_retried_with_the_same_message_id()
    {
        await _store.AppendAsync(NewStream(), ExpectedVersion.NoStream, Events(3));
        var attempts = new List<Guid>();
        await Should.ThrowAsync<InvalidOperationException>(() => _relay.PublishBatchAsync((m, _) =>
        {
            attempts.Add(m.MessageId);
            return attempts.Count == 2 ? throw new InvalidOperationException("broker down") : Task.CompletedTask;
        }));
        (await _relay.CountPendingAsync()).ShouldBe(2, "the first went out, the second and third wait");

        var retried = new List<PendingMessage>();
        await _relay.PublishBatchAsync((m, _) => { retried.Add(m); return Task.CompletedTask; });
        retried[0].MessageId.ShouldBe(attempts[1]);
        retried[0].Attempts.ShouldBe(1);
        retried.Count.ShouldBe(2);
    }

    [Fact]
    public async Task message_ids_are_derived_from_the_store_the_event_and_the_type()
    {
        var result = await _store.AppendAsync(NewStream(), ExpectedVersion.NoStream, Events(1));
        var published = new List<PendingMessage>();
        await _relay.PublishBatchAsync((m, _) => { published.Add(m); return Task.CompletedTask; });

        var storeId = await _store.GetStoreIdAsync();
        published.Single().MessageId.ShouldBe(OutboxWriter.MessageIdFor(storeId, result.Positions[0], "TestHappened"));
        OutboxWriter.MessageIdFor(Guid.NewGuid(), result.Positions[0], "TestHappened").ShouldNotBe(published.Single().MessageId,
            "another store's event at the same position gets another id");
    }
}
