using static CoManagement.EventStore.Tests.TestEvents;

namespace CoManagement.EventStore.Tests;

public sealed class Appending_with_an_expected_version(StoreFixture db) : IClassFixture<StoreFixture>
{
    private PostgresEventStore Store => db.Store;

    [Fact]
    public async Task no_stream_succeeds_on_a_new_stream_and_numbers_events_from_one()
    {
        var stream = NewStream();
        var result = await Store.AppendAsync(stream, ExpectedVersion.NoStream, Events(3));
        result.FromVersion.ShouldBe(1);
        result.ToVersion.ShouldBe(3);
        result.Positions.Count.ShouldBe(3);
        result.Positions.ShouldBeInOrder();
        (await Store.ReadStreamAsync(stream)).Select(e => e.Version).ShouldBe([1L, 2L, 3L]);
    }

    [Fact]
    public async Task no_stream_is_rejected_on_an_existing_stream_and_writes_nothing()
    {
        var stream = NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, Events(2));
        var positionsBefore = await db.PositionsTakenAsync();

        var error = await Should.ThrowAsync<WrongExpectedVersionException>(() => Store.AppendAsync(stream, ExpectedVersion.NoStream, Events(1)));

        error.ActualVersion.ShouldBe(2);
        error.Message.ShouldContain("expected no stream, actual 2");
        (await Store.GetStreamVersionAsync(stream)).ShouldBe(2);
        (await db.PositionsTakenAsync()).ShouldBe(positionsBefore);
    }

    [Fact]
    public async Task stream_exists_succeeds_on_an_existing_stream()
    {
        var stream = NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, Events(1));
        var result = await Store.AppendAsync(stream, ExpectedVersion.StreamExists, Events(1));
        result.ToVersion.ShouldBe(2);
    }

    [Fact]
    public async Task stream_exists_is_rejected_on_a_missing_stream_and_writes_nothing()
    {
        var stream = NewStream();
        var positionsBefore = await db.PositionsTakenAsync();
        var error = await Should.ThrowAsync<WrongExpectedVersionException>(() => Store.AppendAsync(stream, ExpectedVersion.StreamExists, Events(1)));
        error.Message.ShouldContain("expected stream exists, actual 0");
        (await Store.StreamExistsAsync(stream)).ShouldBeFalse();
        (await db.PositionsTakenAsync()).ShouldBe(positionsBefore);
    }

    [Fact]
    public async Task exactly_n_succeeds_when_the_stream_has_n_events()
    {
        var stream = NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.Exactly(0), Events(2));
        var result = await Store.AppendAsync(stream, ExpectedVersion.Exactly(2), Events(1));
        result.FromVersion.ShouldBe(3);
    }

    [Fact]
    public async Task exactly_n_is_rejected_with_a_stale_version_naming_expected_and_actual_and_writes_nothing()
    {
        var stream = NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.Exactly(0), Events(3));
        var positionsBefore = await db.PositionsTakenAsync();

        var error = await Should.ThrowAsync<WrongExpectedVersionException>(() => Store.AppendAsync(stream, ExpectedVersion.Exactly(2), Events(5)));

        error.Expected.ShouldBe(ExpectedVersion.Exactly(2));
        error.ActualVersion.ShouldBe(3);
        error.Message.ShouldContain("expected 2, actual 3");
        (await Store.ReadStreamAsync(stream)).Count.ShouldBe(3);
        (await db.PositionsTakenAsync()).ShouldBe(positionsBefore);
    }

    [Fact]
    public async Task exactly_n_is_rejected_when_the_stream_is_behind()
    {
        var stream = NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.Exactly(0), Events(1));
        await Should.ThrowAsync<WrongExpectedVersionException>(() => Store.AppendAsync(stream, ExpectedVersion.Exactly(4), Events(1)));
    }

    [Fact]
    public async Task any_appends_whatever_the_version()
    {
        var stream = NewStream();
        (await Store.AppendAsync(stream, ExpectedVersion.Any, Events(1))).ToVersion.ShouldBe(1);
        (await Store.AppendAsync(stream, ExpectedVersion.Any, Events(2))).ToVersion.ShouldBe(3);
    }

    [Fact]
    public async Task several_streams_in_one_transaction_are_all_or_nothing()
    {
        var (a, b) = (NewStream("a"), NewStream("b"));
        await Store.AppendAsync(b, ExpectedVersion.NoStream, Events(1));

        await Should.ThrowAsync<WrongExpectedVersionException>(() => Store.AppendAsync(
        [
            new StreamWrite(a, ExpectedVersion.NoStream, Events(2)),
            new StreamWrite(b, ExpectedVersion.NoStream, Events(1)),
        ]));
        (await Store.StreamExistsAsync(a)).ShouldBeFalse();

        var results = await Store.AppendAsync(
        [
            new StreamWrite(a, ExpectedVersion.NoStream, Events(2)),
            new StreamWrite(b, ExpectedVersion.Exactly(1), Events(1)),
        ]);
        results[0].ToVersion.ShouldBe(2);
        results[1].ToVersion.ShouldBe(2);
    }

    [Fact]
    public async Task invalid_stream_ids_and_type_names_are_refused_before_anything_is_sent()
    {
        await Should.ThrowAsync<ArgumentException>(() => Store.AppendAsync("", ExpectedVersion.Any, Events(1)));
        await Should.ThrowAsync<ArgumentException>(() => Store.AppendAsync("a\nb", ExpectedVersion.Any, Events(1)));
        await Should.ThrowAsync<ArgumentException>(() => Store.AppendAsync(NewStream(), ExpectedVersion.Any, [Event(type: "bad\ttype")]));
    }

    [Fact]
    public async Task business_time_and_recorded_time_are_both_kept()
    {
        var stream = NewStream();
        var happened = new DateTimeOffset(2025, 12, 31, 23, 59, 59, TimeSpan.Zero);
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, [Event(at: happened)]);
        var e = (await Store.ReadStreamAsync(stream)).Single();
        e.BusinessTime.ShouldBe(happened);
        e.RecordedTime.ShouldBeGreaterThan(before);
        e.Metadata.Actor.ShouldBe("tester");
    }
}
