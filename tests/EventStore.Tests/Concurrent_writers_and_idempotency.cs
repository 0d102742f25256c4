using System.Collections.Concurrent;
using static CoManagement.EventStore.Tests.TestEvents;

namespace CoManagement.EventStore.Tests;

public sealed class Concurrent_writers_and_idempotency(StoreFixture db) : IClassFixture<StoreFixture>
{
    private PostgresEventStore Store => db.Store;

    [Fact]
    public async Task sixteen_writers_on_one_stream_each_event_is_accepted_once_versions_are_contiguous_and_losers_take_no_position()
    {
        var stream = NewStream("hot");
        const int writers = 16, eachWrites = 10;
        var conflicts = 0;
        var positionsBefore = await db.PositionsTakenAsync();

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < eachWrites; i++)
            {
                while (true)
                {
                    var version = await Store.GetStreamVersionAsync(stream);
                    try
                    {
                        await Store.AppendAsync(stream, ExpectedVersion.Exactly(version), [Event(json: $$"""{"writer": {{w}}, "i": {{i}}}""")]);
                        break;
                    }
                    catch (WrongExpectedVersionException)
                    {
                        Interlocked.Increment(ref conflicts);
                    }
                }
            }
        })));

        var events = await Store.ReadStreamAsync(stream);
        events.Count.ShouldBe(writers * eachWrites);
        events.Select(e => e.Version).ShouldBe(Enumerable.Range(1, writers * eachWrites).Select(v => (long)v));
        events.Select(e => e.Json).Distinct().Count().ShouldBe(writers * eachWrites);
        conflicts.ShouldBeGreaterThan(0, "the writers should really have raced");
        (await db.PositionsTakenAsync() - positionsBefore).ShouldBe(writers * eachWrites, "a loser must not burn a position");
    }

    [Fact]
    public async Task a_repeated_command_id_returns_the_first_result_and_appends_nothing()
    {
        var stream = NewStream();
        var command = Guid.NewGuid();
        var first = await Store.AppendAsync(stream, ExpectedVersion.NoStream, Events(2), command);
        await Store.AppendAsync(stream, ExpectedVersion.Any, Events(1));

        var again = await Store.AppendAsync(stream, ExpectedVersion.NoStream, Events(2), command);

        again.Duplicate.ShouldBeTrue();
        again.FromVersion.ShouldBe(first.FromVersion);
        again.ToVersion.ShouldBe(first.ToVersion);
        again.Positions.ShouldBe(first.Positions);
        (await Store.ReadStreamAsync(stream)).Count.ShouldBe(3);
    }

    [Fact]
    public async Task a_command_id_is_remembered_for_ever_not_for_a_time_window()
    {
        var stream = NewStream();
        var command = Guid.NewGuid();
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, Events(1), command);
        // Age the record as if it were written a year ago: nothing expires it.
        await db.ExecuteAsync($"UPDATE {{schema}}.commands SET recorded_time = recorded_time - interval '365 days' WHERE command_id = '{command}'");

        var again = await Store.AppendAsync(stream, ExpectedVersion.Any, Events(1), command);

        again.Duplicate.ShouldBeTrue();
        (await Store.GetStreamVersionAsync(stream)).ShouldBe(1);
    }

    [Fact]
    public async Task concurrent_deliveries_of_one_command_append_once()
    {
        var stream = NewStream();
        var command = Guid.NewGuid();
        var results = new ConcurrentBag<AppendResult>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            results.Add(await Store.AppendAsync(stream, ExpectedVersion.Any, Events(1), command)))));

        results.Count(r => !r.Duplicate).ShouldBe(1);
        results.Select(r => r.Positions[0]).Distinct().Count().ShouldBe(1);
        (await Store.GetStreamVersionAsync(stream)).ShouldBe(1);
    }

    [Fact]
    public async Task a_command_id_reused_on_another_stream_is_answered_as_a_repeat()
    {
        var command = Guid.NewGuid();
        var first = await Store.AppendAsync(NewStream(), ExpectedVersion.Any, Events(1), command);
        var other = NewStream();
        var again = await Store.AppendAsync(other, ExpectedVersion.Any, Events(1), command);
        again.Duplicate.ShouldBeTrue();
        again.StreamId.ShouldBe(first.StreamId);
        (await Store.StreamExistsAsync(other)).ShouldBeFalse();
    }
}
