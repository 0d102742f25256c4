using System.Text.Json.Serialization;

namespace CoManagement.EventStore;

/// <summary>
/// Who did it and why, stored with every event (and covered by its hash). <see cref="TraceParent"/> is the W3C trace
/// context of the span that appended the event, filled in by the store when a trace is being recorded: projections
/// link their batch spans to it, so a trace leads from a command to the read models it changed.
/// </summary>
public sealed record EventMetadata(
    Guid? CorrelationId = null,
    Guid? CausationId = null,
    string? Actor = null,
    string? Organization = null,
    string? Side = null,
    Guid? CommandId = null,
    string? TraceParent = null)
{
    public static EventMetadata Empty { get; } = new();
}

/// <summary>An event to append: its registered type name and schema version, its JSON, and when it happened.</summary>
public sealed record EventData(string Type, int SchemaVersion, string Json, DateTimeOffset BusinessTime, EventMetadata Metadata);

/// <summary>An event as stored. <see cref="Json"/> and <see cref="MetadataJson"/> are PostgreSQL's canonical jsonb text.</summary>
public sealed record RecordedEvent(
    long Position,
    string StreamId,
    long Version,
    string Type,
    int SchemaVersion,
    string Json,
    string MetadataJson,
    DateTimeOffset BusinessTime,
    DateTimeOffset RecordedTime,
    byte[] Hash)
{
    public EventMetadata Metadata => System.Text.Json.JsonSerializer.Deserialize(MetadataJson, EventStoreJson.Default.EventMetadata) ?? EventMetadata.Empty;

    /// <summary>
    /// Whether the event's stream id starts with one of <paramref name="streamPrefixes"/> (any stream when null): the
    /// feed's own filter (<c>PostgresEventStore.ReadFeedAsync</c>), on an event already read.
    /// </summary>
    public bool IsOfStreams(IReadOnlyList<string>? streamPrefixes)
    {
        if (streamPrefixes is null)
            return true;
        for (var i = 0; i < streamPrefixes.Count; i++) // not foreach: called per event, and an interface's enumerator is an allocation
        {
            if (StreamId.StartsWith(streamPrefixes[i], StringComparison.Ordinal))
                return true;
        }
        return false;
    }
}

/// <summary>The outcome of an append: the versions written, their global positions, and whether it was a repeat.</summary>
/// <summary>A command the caller rejected, stored under its id so that sending it again gets the same answer.</summary>
public sealed record CommandRejection(string StreamId, long Version, string Code, string Message, DateTimeOffset RecordedTime);

public sealed record AppendResult(
    string StreamId,
    long FromVersion,
    long ToVersion,
    IReadOnlyList<long> Positions,
    DateTimeOffset RecordedTime,
    bool Duplicate)
{
    public long NextExpectedVersion => ToVersion;
}

/// <summary>One stream's part of an append: used for several streams in one transaction and for bulk imports.</summary>
public sealed record StreamWrite(string StreamId, ExpectedVersion Expected, IReadOnlyList<EventData> Events, Guid? CommandId = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EventMetadata))]
[JsonSerializable(typeof(Seal))]
[JsonSerializable(typeof(List<Seal>))]
[JsonSerializable(typeof(ExportedEvent))]
internal sealed partial class EventStoreJson : JsonSerializerContext;
