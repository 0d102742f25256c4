namespace CoManagement.EventStore;

/// <summary>Where the history stops being what was written.</summary>
public sealed record BrokenLink(string? StreamId, long? Version, long? Position, long? SealNo, string Reason);

public sealed record VerificationReport(long StreamsChecked, long EventsChecked, long SealsChecked, BrokenLink? FirstBroken)
{
    public bool Intact => FirstBroken is null;

    /// <summary>How much of the history the seals prove; null for a single stream's check, which reads no seal.</summary>
    public SealCoverage? Coverage { get; init; }
}

/// <summary>
/// The events under a seal and those after the last one. A chain alone proves nothing against a forger who rewrites it
/// (<c>Tamper_evidence</c>), so events after the last seal are unproven: normal at the head of a live store, which
/// seals every few minutes, but in an exported copy they are exactly what a forger would append.
/// </summary>
/// <param name="SealedThrough">The last seal's last position, 0 without seals.</param>
public sealed record SealCoverage(long EventsSealed, long SealedThrough, long EventsUnsealed, long? FirstUnsealedPosition, long? LastUnsealedPosition)
{
    public bool Complete => EventsUnsealed == 0;
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
        if (LinkProblem(_currentVersion, _currentHash, e) is { } problem)
            return Break(e, problem);
        _currentVersion = e.Version;
        _currentHash = e.Hash;
        return true;
    }

    /// <summary>What is wrong with <paramref name="e"/> as the successor of its stream's event at <paramref name="version"/> (0 and the genesis hash for none); null when nothing.</summary>
    internal static string? LinkProblem(long version, byte[] hash, RecordedEvent e)
    {
        if (e.Version != version + 1)
            return $"version {e.Version} follows version {version}: an event is missing or duplicated";
        var expected = HashChain.Compute(hash, e);
        return expected.AsSpan().SequenceEqual(e.Hash)
            ? null
            : $"stored hash {Convert.ToHexStringLower(e.Hash)} differs from the recomputed {Convert.ToHexStringLower(expected)}: the event or its predecessor was altered";
    }

    /// <summary>Checks a seal against the events of its range (position order) and the previous seal (null for the first).</summary>
    public bool CheckSeal(Seal seal, Seal? previous, IEnumerable<(long Position, byte[] Hash)> rangeEvents)
    {
        if (FirstBroken is not null)
            return false;
        var digest = HashChain.RangeDigest(rangeEvents, out var count);
        return SealProblem(seal, previous, digest, count) is not { } problem || BreakSeal(seal, problem);
    }

    /// <summary>
    /// What is wrong with a seal, given its predecessor (null for the first) and the digest and count of the events
    /// found in its range; null when nothing. Seals are numbered from 1 and their ranges follow each other from
    /// position 0, so every position up to the last seal's end is under exactly one seal.
    /// </summary>
    internal static string? SealProblem(Seal seal, Seal? previous, byte[] digest, long count)
    {
        var (number, from) = previous is null ? (1L, 0L) : (previous.SealNo + 1, previous.ToPosition);
        if (seal.SealNo != number)
            return $"seal {seal.SealNo} where seal {number} should follow: a seal is missing or repeated";
        if (seal.FromPosition != from || seal.ToPosition <= seal.FromPosition)
            return $"seal {seal.SealNo} covers ({seal.FromPosition}, {seal.ToPosition}] where its range should start at {from}: the seals do not cover the positions contiguously";
        var previousSealHash = previous is null ? HashChain.Genesis : Convert.FromHexString(previous.SealHash);
        if (count != seal.EventCount)
            return $"seal {seal.SealNo} covers {seal.EventCount} events in ({seal.FromPosition}, {seal.ToPosition}], found {count}";
        if (!string.Equals(Convert.ToHexStringLower(digest), seal.EventsHash, StringComparison.OrdinalIgnoreCase))
            return $"events in ({seal.FromPosition}, {seal.ToPosition}] no longer match seal {seal.SealNo}";
        var sealHash = HashChain.SealHash(previousSealHash, seal.SealNo, seal.FromPosition, seal.ToPosition, seal.EventCount, digest);
        return string.Equals(Convert.ToHexStringLower(sealHash), seal.SealHash, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"seal {seal.SealNo} does not chain to its predecessor";
    }

    public VerificationReport Report(long sealsChecked) => new(StreamsChecked, EventsChecked, sealsChecked, FirstBroken);

    /// <summary>One stream's chain, from its events as read (in version order): the first broken link, if any.</summary>
    public static VerificationReport VerifyStream(IEnumerable<RecordedEvent> events)
    {
        var verifier = new ChainVerifier();
        foreach (var e in events)
        {
            if (!verifier.Check(e))
                break;
        }
        return verifier.Report(0);
    }

    /// <summary>
    /// Offline: checks an exported copy of events, in any order (held and sorted here), against exported seals, without
    /// a database. <see cref="ExportVerifier"/> streams a copy in position order, as <c>ExportEventsAsync</c> writes it.
    /// </summary>
    public static VerificationReport VerifyExport(IEnumerable<ExportedEvent> exported, IReadOnlyList<Seal> seals)
    {
        using var verifier = new ExportVerifier(seals);
        foreach (var e in exported.OrderBy(x => x.Position))
        {
            if (!verifier.Add(e))
                break;
        }
        return verifier.Finish();
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

/// <summary>
/// Checks a copy of the events, read one at a time in position order, against the seals: each stream's chain (only its
/// head is kept, so memory grows with the streams, not the events) and each seal's range as the positions pass its end.
/// The first problem in position order is reported.
/// </summary>
public sealed class ExportVerifier(IReadOnlyList<Seal> seals) : IDisposable
{
    private readonly Seal[] _seals = [.. seals.OrderBy(s => s.SealNo)];
    private readonly Dictionary<string, (long Version, byte[] Hash)> _heads = new(StringComparer.Ordinal);
    private readonly HashChain.RangeDigester _range = new();
    private int _seal;
    private long _position, _events, _unsealed;
    private long? _firstUnsealed, _lastUnsealed;

    public BrokenLink? FirstBroken { get; private set; }

    /// <summary>Takes the next event of the copy; false once something is broken.</summary>
    public bool Add(ExportedEvent exported)
    {
        if (FirstBroken is not null)
            return false;
        var e = exported.ToRecorded();
        if (e.Position <= _position)
            return Break(e, $"position {e.Position} follows position {_position}: the copy is not in position order, or holds an event twice");
        _position = e.Position;
        if (!CloseSealsBefore(e.Position))
            return false;

        _events++;
        var (version, previous) = _heads.TryGetValue(e.StreamId, out var head) ? head : (0, HashChain.Genesis);
        if (ChainVerifier.LinkProblem(version, previous, e) is { } problem)
            return Break(e, problem);
        _heads[e.StreamId] = (e.Version, e.Hash);
        if (_seal < _seals.Length && e.Position > _seals[_seal].FromPosition)
            _range.Add(e.Position, e.Hash);
        if (e.Position > SealedThrough)
        {
            _unsealed++;
            _firstUnsealed ??= e.Position;
            _lastUnsealed = e.Position;
        }
        return true;
    }

    /// <summary>The last seal's last position: events after it are under no seal.</summary>
    private long SealedThrough => _seals.Length == 0 ? 0 : _seals[^1].ToPosition;

    /// <summary>
    /// Closes the seals left (a seal whose range the copy never reached finds no events) and reports, with how many
    /// events lie after the last seal (a copy with no seal at all has every event there).
    /// </summary>
    public VerificationReport Finish()
    {
        if (FirstBroken is null)
            CloseSealsBefore(long.MaxValue);
        return new VerificationReport(_heads.Count, _events, _seal, FirstBroken)
        {
            Coverage = new SealCoverage(_events - _unsealed, SealedThrough, _unsealed, _firstUnsealed, _lastUnsealed),
        };
    }

    public void Dispose() => _range.Dispose();

    /// <summary>Checks every seal whose range ends before <paramref name="position"/>.</summary>
    private bool CloseSealsBefore(long position)
    {
        while (_seal < _seals.Length && position > _seals[_seal].ToPosition)
        {
            var seal = _seals[_seal];
            var count = _range.Count;
            if (ChainVerifier.SealProblem(seal, _seal == 0 ? null : _seals[_seal - 1], _range.Finish(), count) is { } problem)
            {
                FirstBroken = new BrokenLink(null, null, null, seal.SealNo, problem);
                return false;
            }
            _seal++;
        }
        return true;
    }

    private bool Break(RecordedEvent e, string reason)
    {
        FirstBroken = new BrokenLink(e.StreamId, e.Version, e.Position, null, reason);
        return false;
    }
}
