using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using CoManagement.Domain.Common;
using CoManagement.EventStore;

namespace CoManagement.Projections.Common;

/// <summary>A stored event with its domain object; who did it is parsed from the metadata only when asked for.</summary>
internal sealed class DecodedEvent(RecordedEvent raw, object @event)
{
    private EventMetadata? _metadata;

    public RecordedEvent Raw { get; } = raw;

    public object Event { get; } = @event;

    public long Position => Raw.Position;

    public DateTimeOffset BusinessTime => Raw.BusinessTime;

    public EventMetadata Metadata => _metadata ??= Raw.Metadata;

    /// <summary>The side of whoever recorded the event; events written without one count as the outflow side's (the record owner).</summary>
    public Side ActorSide => Enum.TryParse<Side>(Metadata.Side, ignoreCase: true, out var side) ? side : Side.Outflow;

    /// <summary>
    /// Pages being decoded by rebuild sessions, by the list object: projections rebuilt together are given the same
    /// list when they read the same streams (<c>ProjectionRunner.RebuildTogetherAsync</c>), and it is decoded once for
    /// all of them, the first to ask doing it while the others wait. Held weakly: an entry goes with its page.
    /// </summary>
    private static readonly ConditionalWeakTable<IReadOnlyList<RecordedEvent>, ConcurrentDictionary<(EventTypeRegistry, string), Lazy<List<DecodedEvent>>>> Pages = new();

    /// <summary>
    /// Decodes the events of the streams whose id starts with one of <paramref name="streamPrefixes"/>; the rest are
    /// not even parsed. An unknown type in such a stream fails loudly through the registry, never silently.
    /// </summary>
    public static List<DecodedEvent> Decode(EventTypeRegistry registry, IReadOnlyList<RecordedEvent> events, IReadOnlyList<string> streamPrefixes)
    {
        var decoded = new List<DecodedEvent>(events.Count);
        foreach (var e in events)
        {
            if (e.IsOfStreams(streamPrefixes))
                decoded.Add(new DecodedEvent(e, registry.Deserialize(e)));
        }
        return decoded;
    }

    /// <summary>
    /// <see cref="Decode"/> for a rebuild session's page, which other sessions may be given too: the decoded events
    /// are shared with them (they are immutable, but for the metadata each parses once), the list is the caller's.
    /// </summary>
    public static List<DecodedEvent> DecodePage(EventTypeRegistry registry, IReadOnlyList<RecordedEvent> events, IReadOnlyList<string> streamPrefixes)
    {
        var decoding = Pages.GetValue(events, _ => new())
            .GetOrAdd((registry, string.Join('\n', streamPrefixes)), _ => new(() => Decode(registry, events, streamPrefixes)));
        return [.. decoding.Value];
    }
}
