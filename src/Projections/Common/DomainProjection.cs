using CoManagement.Application;
using CoManagement.EventStore;
using CoManagement.EventStore.Projections;
using Npgsql;

namespace CoManagement.Projections.Common;

internal enum StreamKind
{
    Member,
    Organization,
    Agreement,
}

/// <summary>
/// A projection over the domain's streams. A batch is decoded once and cut into runs of one stream kind, in feed
/// order, so each run can be applied set-based while an organisation created (or moved) before a member event in the
/// same batch is in place when that member event is applied.
/// </summary>
internal abstract class DomainProjection(EventTypeRegistry registry, params StreamKind[] kinds) : IProjection
{
    private readonly string[] _prefixes = [.. kinds.Select(Prefix)];

    public abstract string Name { get; }

    /// <summary>The streams of the projection's kinds: the runner's feed reads skip every other stream on the server.</summary>
    public IReadOnlyList<string> StreamPrefixes => _prefixes;

    public virtual int Version => 1;

    public abstract Task CreateAsync(NpgsqlConnection connection, string schema, CancellationToken ct);

    public virtual Task CreateReadIndexesAsync(NpgsqlConnection connection, string schema, CancellationToken ct) => Task.CompletedTask;

    public async Task ApplyAsync(NpgsqlConnection connection, string schema, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
    {
        var decoded = Decode(events);
        if (decoded.Count > 0)
            await ApplyAsync(connection, schema, decoded, ct).ConfigureAwait(false);
    }

    /// <summary>Applies each batch as it comes, unless the projection holds state in memory through a rebuild.</summary>
    public virtual IProjectionSession OpenSession(string schema, bool shadow) => new BatchByBatchSession(this, schema);

    /// <summary>The events of this projection's stream kinds, decoded; the others are skipped unparsed.</summary>
    internal List<DecodedEvent> Decode(IReadOnlyList<RecordedEvent> events) => DecodedEvent.Decode(registry, events, _prefixes);

    /// <summary><see cref="Decode"/> for a rebuild session's page: decoded once for every session given the same page.</summary>
    internal List<DecodedEvent> DecodePage(IReadOnlyList<RecordedEvent> events) => DecodedEvent.DecodePage(registry, events, _prefixes);

    protected virtual async Task ApplyAsync(NpgsqlConnection c, string s, List<DecodedEvent> events, CancellationToken ct)
    {
        foreach (var (kind, run) in Runs(events))
            await ApplyRunAsync(c, s, kind, run, ct).ConfigureAwait(false);
    }

    protected virtual Task ApplyRunAsync(NpgsqlConnection c, string s, StreamKind kind, List<DecodedEvent> events, CancellationToken ct) =>
        Task.CompletedTask;

    /// <summary>Consecutive events of one stream kind, in feed order.</summary>
    protected static IEnumerable<(StreamKind Kind, List<DecodedEvent> Events)> Runs(List<DecodedEvent> events)
    {
        for (var i = 0; i < events.Count;)
        {
            var kind = KindOf(events[i]);
            var end = i + 1;
            while (end < events.Count && KindOf(events[end]) == kind)
                end++;
            yield return (kind, events.GetRange(i, end - i));
            i = end;
        }
    }

    private static StreamKind KindOf(DecodedEvent e) =>
        e.Raw.StreamId.StartsWith(Streams.MemberPrefix, StringComparison.Ordinal) ? StreamKind.Member
        : e.Raw.StreamId.StartsWith(Streams.OrganizationPrefix, StringComparison.Ordinal) ? StreamKind.Organization
        : StreamKind.Agreement;

    private static string Prefix(StreamKind kind) => kind switch
    {
        StreamKind.Member => Streams.MemberPrefix,
        StreamKind.Organization => Streams.OrganizationPrefix,
        _ => Streams.AgreementPrefix,
    };
}
