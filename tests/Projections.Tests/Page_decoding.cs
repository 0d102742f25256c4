using CoManagement.Application;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.EventStore;
using CoManagement.Projections.Common;

namespace CoManagement.Projections.Tests;

/// <summary>
/// Sessions rebuilt together share the decoding of a page (<see cref="DecodedEvent.DecodePage"/>): each gets every
/// event of its streams once, in feed order, as the same objects the others get; and a page that cannot be decoded fails
/// every one of them instead of leaving one waiting.
/// </summary>
public sealed class Page_decoding
{
    private static readonly EventTypeRegistry Registry = DomainRegistry.Create();
    private static readonly string[] Members = [Streams.MemberPrefix];
    private static readonly DateTimeOffset At = new(2025, 5, 1, 9, 0, 0, TimeSpan.FromHours(8));

    private static RecordedEvent Recorded(long position, string stream, object e)
    {
        var data = Registry.ToEventData(e, At, EventMetadata.Empty);
        return new RecordedEvent(position, stream, 1, data.Type, data.SchemaVersion, data.Json, "{}", At, At, []);
    }

    /// <summary>Member events with, every seventh, an organisation's stream the member prefix does not take.</summary>
    private static List<RecordedEvent> Page(int count) =>
    [
        .. Enumerable.Range(1, count).Select(i => i % 7 == 0
            ? Recorded(i, Streams.Organization($"org-{i}"), new ContactLogged($"m{i}", 1, Side.Inflow, ContactMethod.Phone, null, At))
            : Recorded(i, Streams.Member($"m{i}"), new ContactLogged($"m{i}", 1, Side.Inflow, ContactMethod.Phone, $"note {i}", At))),
    ];

    [Fact]
    public async Task sessions_decoding_a_page_together_each_get_its_events_once_in_order_as_the_same_objects()
    {
        var page = Page(1_000);
        using var start = new Barrier(3);
        var sessions = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return DecodedEvent.DecodePage(Registry, page, Members);
        })).ToArray();
        var lists = await Task.WhenAll(sessions).WaitAsync(TimeSpan.FromSeconds(30));

        var expected = page.Where(e => e.StreamId.StartsWith(Streams.MemberPrefix, StringComparison.Ordinal)).ToList();
        foreach (var list in lists)
        {
            list.Select(d => d.Raw).ShouldBe(expected);
            list.Select(d => ((ContactLogged)d.Event).Note).ShouldBe(expected.Select(e => $"note {e.Position}"));
            for (var i = 0; i < list.Count; i++)
                ReferenceEquals(list[i], lists[0][i]).ShouldBeTrue("each event is decoded once for all sessions");
        }
        ReferenceEquals(lists[0], lists[1]).ShouldBeFalse("each session gets a list of its own");
    }

    [Fact]
    public async Task a_page_with_an_event_no_one_can_decode_fails_every_session_and_leaves_none_waiting()
    {
        var page = Page(1_000);
        page[600] = page[600] with { Type = "member.unheard-of" };
        using var start = new Barrier(2);
        var sessions = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return DecodedEvent.DecodePage(Registry, page, Members);
        })).ToArray();

        foreach (var session in sessions)
            (await Should.ThrowAsync<UnknownEventTypeException>(session.WaitAsync(TimeSpan.FromSeconds(30)))).Message.ShouldContain("member.unheard-of");
    }
}
