using static CoManagement.EventStore.Tests.TestEvents;

namespace CoManagement.EventStore.Tests;

public sealed class Reading_as_of(StoreFixture db) : IClassFixture<StoreFixture>
{
    private PostgresEventStore Store => db.Store;

    private async Task<(string Stream, IReadOnlyList<RecordedEvent> Events)> ThreeEvents()
    {
        var stream = NewStream();
        // Business times: March 1st, March 3rd, and a late-reported event that happened on March 2nd.
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, [Event(json: """{"n": 1}""", at: new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero))]);
        await Store.AppendAsync(stream, ExpectedVersion.Exactly(1), [Event(json: """{"n": 2}""", at: new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero))]);
        await Store.AppendAsync(stream, ExpectedVersion.Exactly(2), [Event(json: """{"n": 3}""", at: new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero))]);
        return (stream, await Store.ReadStreamAsync(stream));
    }

    private static long[] Numbers(IEnumerable<RecordedEvent> events) => [.. events.Select(e => e.Version)];

    [Fact]
    public async Task as_of_a_version()
    {
        var (stream, _) = await ThreeEvents();
        Numbers(await Store.ReadStreamAsync(stream, new AsOf.Version(2))).ShouldBe([1L, 2L]);
    }

    [Fact]
    public async Task as_of_a_recorded_time_shows_what_the_store_held_then()
    {
        var (stream, all) = await ThreeEvents();
        Numbers(await Store.ReadStreamAsync(stream, new AsOf.RecordedTime(all[1].RecordedTime))).ShouldBe([1L, 2L]);
        Numbers(await Store.ReadStreamAsync(stream, new AsOf.RecordedTime(all[0].RecordedTime.AddTicks(-10)))).ShouldBeEmpty();
    }

    [Fact]
    public async Task as_of_a_business_time_includes_events_recorded_later_that_happened_before()
    {
        var (stream, _) = await ThreeEvents();
        Numbers(await Store.ReadStreamAsync(stream, new AsOf.BusinessTime(new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero)))).ShouldBe([1L, 3L]);
    }

    [Fact]
    public async Task as_of_a_global_position()
    {
        var (stream, all) = await ThreeEvents();
        Numbers(await Store.ReadStreamAsync(stream, new AsOf.Position(all[0].Position))).ShouldBe([1L]);
    }

    [Fact]
    public async Task folding_as_of_a_version_gives_that_state_and_version()
    {
        var (stream, _) = await ThreeEvents();
        var registry = new EventTypeRegistry().Register("test.happened", 1, TestJson.Default.Counted);
        var (sum, version) = await Store.AggregateStreamAsync(stream, registry, 0, (s, e) => s + ((Counted)e).N, new AsOf.Version(2));
        sum.ShouldBe(3);
        version.ShouldBe(2);
    }
}
