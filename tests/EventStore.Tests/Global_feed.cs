using Npgsql;
using static CoManagement.EventStore.Tests.TestEvents;

namespace CoManagement.EventStore.Tests;

public sealed class Global_feed(StoreFixture db) : IClassFixture<StoreFixture>
{
    private PostgresEventStore Store => db.Store;

    private async Task<(NpgsqlConnection Connection, NpgsqlTransaction Tx, AppendResult Result)> AppendInOpenTransaction(string stream)
    {
        var connection = await db.DataSource.OpenConnectionAsync();
        var tx = await connection.BeginTransactionAsync();
        var result = (await Store.AppendAsync(connection, [new StreamWrite(stream, ExpectedVersion.Any, Events(1))]))[0];
        return (connection, tx, result);
    }

    private async Task<List<RecordedEvent>> ReadAllAsync(long after = 0)
    {
        var all = new List<RecordedEvent>();
        while (true)
        {
            var page = await Store.ReadFeedAsync(after, 100);
            all.AddRange(page.Events);
            if (page.Events.Count == 0)
                return all;
            after = page.NextAfter;
        }
    }

    [Fact]
    public async Task a_read_of_some_streams_returns_their_events_in_position_order_archived_ones_too_and_reaches_the_head()
    {
        var start = await Store.RefreshHeadAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var (kept, other) = ($"pick{tag}-", $"other{tag}-");
        for (var i = 0; i < 12; i++)
            await Store.AppendAsync(i % 2 == 0 ? $"{kept}{i % 3}" : $"{other}{i}", ExpectedVersion.Any, Events(2));
        await Store.ArchiveStreamAsync($"{kept}1");
        await Store.AppendAsync($"{other}last", ExpectedVersion.Any, Events(3));

        var read = new List<RecordedEvent>();
        var after = start;
        while (true)
        {
            var page = await Store.ReadFeedAsync(after, 5, [kept]);
            read.AddRange(page.Events);
            if (page.NextAfter <= after)
                break;
            after = page.NextAfter;
        }
        read.ShouldAllBe(e => e.StreamId.StartsWith(kept, StringComparison.Ordinal));
        read.Select(e => e.Position).ShouldBe((await ReadAllAsync(start)).Where(e => e.StreamId.StartsWith(kept, StringComparison.Ordinal)).Select(e => e.Position));
        read.Count.ShouldBe(12);
        read.Any(e => e.StreamId == $"{kept}1").ShouldBeTrue("the archived stream's events");
        after.ShouldBe(await Store.RefreshHeadAsync(), "the reader passed over the other streams up to the head");
    }

    [Fact]
    public async Task an_event_committed_later_with_a_lower_position_is_not_passed_over()
    {
        var start = await Store.RefreshHeadAsync();
        var (slowConnection, slowTx, slow) = await AppendInOpenTransaction(NewStream("slow"));
        var fast = await Store.AppendAsync(NewStream("fast"), ExpectedVersion.Any, Events(1));
        fast.Positions[0].ShouldBeGreaterThan(slow.Positions[0]);

        var whileOpen = await ReadAllAsync(start);
        whileOpen.ShouldBeEmpty("the head must stay below the open transaction's position");

        await slowTx.CommitAsync();
        await slowConnection.DisposeAsync();
        var afterCommit = await ReadAllAsync(start);
        afterCommit.Select(e => e.Position).ShouldBe([slow.Positions[0], fast.Positions[0]]);
    }

    [Fact]
    public async Task a_rolled_back_append_leaves_a_gap_that_the_feed_moves_past()
    {
        var start = await Store.RefreshHeadAsync();
        var (connection, tx, rolledBack) = await AppendInOpenTransaction(NewStream("rb"));
        var kept = await Store.AppendAsync(NewStream("kept"), ExpectedVersion.Any, Events(1));
        await tx.RollbackAsync();
        await connection.DisposeAsync();

        var events = await ReadAllAsync(start);
        events.Select(e => e.Position).ShouldBe([kept.Positions[0]]);
        events.ShouldNotContain(e => e.Position == rolledBack.Positions[0]);
    }

    [Fact]
    public async Task a_held_open_write_transaction_is_reported_as_the_blocker()
    {
        var (connection, tx, _) = await AppendInOpenTransaction(NewStream("held"));
        try
        {
            await Store.AppendAsync(NewStream("behind"), ExpectedVersion.Any, Events(3));
            var status = await Store.GetFeedStatusAsync();

            status.Blocker.ShouldNotBeNull();
            status.Blocker.Pid.ShouldBe(connection.ProcessID);
            status.Blocker.TransactionId.ShouldNotBeNullOrEmpty();
            status.Blocker.TransactionStart.ShouldNotBeNull();
            status.LagPositions.ShouldBeGreaterThanOrEqualTo(3);
            status.NewestCommitted.ShouldBeGreaterThan(status.Head);
        }
        finally
        {
            await tx.RollbackAsync();
            await connection.DisposeAsync();
        }
        var after = await Store.GetFeedStatusAsync();
        after.Blocker.ShouldBeNull();
        after.LagPositions.ShouldBe(0);
    }

    [Fact]
    public async Task a_reader_alongside_concurrent_writers_that_commit_out_of_order_and_roll_back_sees_every_committed_event_once_in_order()
    {
        var start = await Store.RefreshHeadAsync();
        var committed = new System.Collections.Concurrent.ConcurrentBag<long>();
        var writersDone = false;
        var random = new Random(20261122);
        var plans = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, 25).Select(_ => (Delay: random.Next(0, 15), Commit: random.Next(4) != 0, Count: random.Next(1, 4))).ToArray()).ToArray();

        var writers = plans.Select((plan, w) => Task.Run(async () =>
        {
            foreach (var (delay, commit, count) in plan)
            {
                await using var connection = await db.DataSource.OpenConnectionAsync();
                await using var tx = await connection.BeginTransactionAsync();
                var result = (await Store.AppendAsync(connection, [new StreamWrite($"w{w}-{Guid.NewGuid():N}", ExpectedVersion.NoStream, Events(count))]))[0];
                await Task.Delay(delay);
                if (commit)
                {
                    await tx.CommitAsync();
                    foreach (var p in result.Positions)
                        committed.Add(p);
                }
                else
                {
                    await tx.RollbackAsync();
                }
            }
        })).ToArray();

        var seen = new List<long>();
        var reader = Task.Run(async () =>
        {
            var after = start;
            while (true)
            {
                var done = Volatile.Read(ref writersDone);
                var page = await Store.ReadFeedAsync(after, 7);
                seen.AddRange(page.Events.Select(e => e.Position));
                after = page.NextAfter;
                if (page.Events.Count == 0)
                {
                    if (done)
                        return;
                    await Task.Delay(2);
                }
            }
        });

        await Task.WhenAll(writers);
        Volatile.Write(ref writersDone, true);
        await reader;

        seen.ShouldBe(seen.Order().ToList(), "the feed is delivered in position order");
        seen.Distinct().Count().ShouldBe(seen.Count, "no event twice");
        seen.Order().ShouldBe(committed.Order(), "every committed event, and only those");
    }

    [Fact]
    public async Task feed_reads_take_their_connections_from_the_feed_data_source_when_one_is_given()
    {
        var start = await Store.RefreshHeadAsync();
        await Store.AppendAsync(NewStream("pool"), ExpectedVersion.NoStream, Events(3));
        var name = "feed-" + Guid.NewGuid().ToString("N")[..12];
        await using var feedPool = NpgsqlDataSource.Create(StoreFixture.ConnectionString + $";Application Name={name}");
        var store = new PostgresEventStore(db.DataSource, new EventStoreOptions { Schema = db.Schema, FeedDataSource = feedPool });

        var viaFeedPool = await store.ReadFeedAsync(start, 100);
        var viaSharedPool = await Store.ReadFeedAsync(start, 100);

        viaFeedPool.Events.Select(e => e.Position).ShouldBe(viaSharedPool.Events.Select(e => e.Position));
        viaFeedPool.Events.Count.ShouldBe(3);
        // The feed pool keeps its (now idle) connection open; the shared pool never opened one under that name.
        (await db.ScalarAsync<long>($"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{name}'")).ShouldBe(1);
    }

    [Fact]
    public async Task pages_follow_on_without_gaps_or_repeats()
    {
        var start = await Store.RefreshHeadAsync();
        for (var i = 0; i < 5; i++)
            await Store.AppendAsync(NewStream("page"), ExpectedVersion.NoStream, Events(5));
        var first = await Store.ReadFeedAsync(start, 10);
        first.Events.Count.ShouldBe(10);
        var second = await Store.ReadFeedAsync(first.NextAfter, 10);
        second.Events[0].Position.ShouldBeGreaterThan(first.Events[^1].Position);
        (await ReadAllAsync(start)).Count.ShouldBe(25);
    }
}
