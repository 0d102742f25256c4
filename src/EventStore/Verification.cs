namespace CoManagement.EventStore;

/// <summary>Where the history stops being what was written.</summary>
public sealed record BrokenLink(string? StreamId, long? Version, long? Position, long? SealNo, string Reason);

public sealed record VerificationReport(long StreamsChecked, long EventsChecked, long SealsChecked, BrokenLink? FirstBroken)
{
    public bool Intact => FirstBroken is null;
}

/// <summary>
/// A seal: a digest over a range of global positions, chained to the previous seal. Exported, it lets an auditor check
/// a copy of the events offline, and it catches alterations that rewrote the per-stream hash chain as well.
/// </summary>
public sealed record Seal(long SealNo, long FromPosition, long ToPosition, long EventCount, string EventsHash,
    string PreviousSealHash, string SealHash, DateTimeOffset CreatedAt);

/// <summary>An event in an export: the exact canonical text that was hashed.</summary>
public sealed record ExportedEvent(long Position, string StreamId, long Version, string Type, int SchemaVersion,
    DateTimeOffset BusinessTime, DateTimeOffset RecordedTime, string Data, string Metadata, string Hash)
{
    public static ExportedEvent From(RecordedEvent e) => new(e.Position, e.StreamId, e.Version, e.Type, e.SchemaVersion,
        e.BusinessTime, e.RecordedTime, e.Json, e.MetadataJson, Convert.ToHexStringLower(e.Hash));

    public RecordedEvent ToRecorded() => new(Position, StreamId, Version, Type, SchemaVersion, Data, Metadata,
        BusinessTime, RecordedTime, Convert.FromHexString(Hash));
}

/// <summary>Checks chains and seals over any sequence of events: the store's own verify and the auditor's offline check.</summary>
public sealed class ChainVerifier
{
    private string? _currentStream;
    private long _currentVersion;
    private byte[] _currentHash = HashChain.Genesis;

    public long EventsChecked { get; private set; }
    public long StreamsChecked { get; private set; }
    public BrokenLink? FirstBroken { get; private set; }

    /// <summary>Feed events grouped by stream in version order (as a per-stream scan returns them).</summary>
    public bool Check(RecordedEvent e)
    {
        if (FirstBroken is not null)
            return false;
        if (!string.Equals(e.StreamId, _currentStream, StringComparison.Ordinal))
        {
            _currentStream = e.StreamId;
            _currentVersion = 0;
            _currentHash = HashChain.Genesis;
            StreamsChecked++;
        }
        EventsChecked++;
        if (e.Version != _currentVersion + 1)
            return Break(e, $"version {e.Version} follows version {_currentVersion}: an event is missing or duplicated");
        var expected = HashChain.Compute(_currentHash, e);
        if (!expected.AsSpan().SequenceEqual(e.Hash))
            return Break(e, $"stored hash {Convert.ToHexStringLower(e.Hash)} differs from the recomputed {Convert.ToHexStringLower(expected)}: the event or its predecessor was altered");
        _currentVersion = e.Version;
        _currentHash = e.Hash;
        return true;
    }

    /// <summary>Checks a seal against the events of its range (position order) and the previous seal.</summary>
    public bool CheckSeal(Seal seal, byte[] previousSealHash, IEnumerable<(long Position, byte[] Hash)> rangeEvents)
    {
        if (FirstBroken is not null)
            return false;
        var digest = HashChain.RangeDigest(rangeEvents, out var count);
        if (count != seal.EventCount)
            return BreakSeal(seal, $"seal {seal.SealNo} covers {seal.EventCount} events in ({seal.FromPosition}, {seal.ToPosition}], found {count}");
        if (!string.Equals(Convert.ToHexStringLower(digest), seal.EventsHash, StringComparison.OrdinalIgnoreCase))
            return BreakSeal(seal, $"events in ({seal.FromPosition}, {seal.ToPosition}] no longer match seal {seal.SealNo}");
        var sealHash = HashChain.SealHash(previousSealHash, seal.SealNo, seal.FromPosition, seal.ToPosition, seal.EventCount, digest);
        if (!string.Equals(Convert.ToHexStringLower(sealHash), seal.SealHash, StringComparison.OrdinalIgnoreCase))
            return BreakSeal(seal, $"seal {seal.SealNo} does not chain to its predecessor");
        return true;
    }

    public VerificationReport Report(long sealsChecked) => new(StreamsChecked, EventsChecked, sealsChecked, FirstBroken);

    /// <summary>
    /// Offline: checks an exported copy of events (any order) against exported seals, without a database.
    /// </summary>
    public static VerificationReport VerifyExport(IEnumerable<ExportedEvent> exported, IReadOnlyList<Seal> seals)
    {
        var events = exported.Select(x => x.ToRecorded()).ToList();
        var verifier = new ChainVerifier();
        foreach (var e in events.OrderBy(x => x.StreamId, StringComparer.Ordinal).ThenBy(x => x.Version))
        {
            if (!verifier.Check(e))
                return verifier.Report(0);
        }
        var byPosition = events.OrderBy(x => x.Position).ToList();
        var previous = HashChain.Genesis;
        var checkedSeals = 0;
        foreach (var seal in seals.OrderBy(s => s.SealNo))
        {
            var range = byPosition.Where(x => x.Position > seal.FromPosition && x.Position <= seal.ToPosition).Select(x => (x.Position, x.Hash));
            if (!verifier.CheckSeal(seal, previous, range))
                return verifier.Report(checkedSeals);
            previous = Convert.FromHexString(seal.SealHash);
            checkedSeals++;
        }
        return verifier.Report(checkedSeals);
    }

    private bool Break(RecordedEvent e, string reason)
    {
        FirstBroken = new BrokenLink(e.StreamId, e.Version, e.Position, null, reason);
        return false;
    }

    private bool BreakSeal(Seal seal, string reason)
    {
        FirstBroken = new BrokenLink(null, null, null, seal.SealNo, reason);
        return false;
    }
}
