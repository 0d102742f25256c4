using System.Runtime.InteropServices;
using CoManagement.EventStore;
using CoManagement.EventStore.Projections;
using CoManagement.Projections.Common;
using CoManagement.Projections.Members;
using Npgsql;

namespace CoManagement.Projections.Coverage;

/// <summary>
/// Coverage as a rebuild holds it: episodes, counters, cells and the year to date in memory, written when the runner
/// ends a chunk; a month close rolls them up in memory, over the tree as it is then, as the stored path's statement
/// does. The lapse of the activity and contact windows, batch by batch an indexed range over the stored episodes, is
/// here two queues ordered by the instant each stored episode's window ends; an entry counts only while that instant is
/// still the one the member's stored episode holds, and subtracts from the counters the episode is stored under then,
/// exactly as the range over the table would.
/// </summary>
internal sealed class HeldCoverage : CoverageState
{
    private readonly HeldMemberRows _episodes;
    private readonly Dictionary<(string Org, string Scope, bool InProvince), HeldCounters> _counters = [];
    /// <summary>The keys changed since the tables were last written, in the order they first changed (a key removed and added again twice).</summary>
    private readonly List<(string Org, string Scope, bool InProvince)> _changedCounters = [];
    private readonly Dictionary<(string From, string To), HeldCell> _cells = [];
    private readonly List<(string From, string To)> _changedCells = [];
    private readonly Dictionary<(string Org, string Scope, bool InProvince, DateOnly Month), long[]> _flows = [];
    private readonly Dictionary<(int Year, string Org, string Scope, bool InProvince), long[]> _ytd = [];
    private readonly HashSet<(int Year, string Org, string Scope, bool InProvince)> _changedYtd = [];
    private readonly Dictionary<string, Episode> _stored = new(StringComparer.Ordinal);
    // Ordered by UTC ticks: comparing longs is cheaper than comparing DateTimeOffsets, and the queues are long.
    private readonly PriorityQueue<Window, long> _activity = new();
    private readonly PriorityQueue<Window, long> _contact = new();
    /// <summary>The tree as it is now, read once and again only after it changed shape; the regions are taken from it.</summary>
    private Dictionary<string, OrgPlace>? _tree;
    private Dictionary<string, string>? _regions;
    private Deltas? _deltas;
    private int _evictions;

    /// <summary>
    /// What the episodes table holds for a member: the columns the lapse reads, and the windows still queued. A write
    /// that leaves a window's instant as it was leaves its queue entry in place (the lapse reads the columns here, as
    /// they are when it comes); one that moves it, or closes the episode, starts a new generation, so the entry queued
    /// before no longer counts.
    /// </summary>
    private sealed class Episode
    {
        public string OutflowOrgId = "";
        public string? InflowOrgId;
        public bool InProvince;
        public bool Placed;
        public Queued Activity;
        public Queued Contact;
    }

    /// <summary>
    /// A value held under a key, and whether it changed since the tables were last written: marked on the object the
    /// lookup found, so a batch's change costs one dictionary lookup (the held path's hot loop misses the cache on most).
    /// </summary>
    private abstract class Held
    {
        public bool Changed;

        /// <summary>Marks the value changed, adding its key to <paramref name="changed"/> the first time since the last write.</summary>
        public void Mark<TKey>(TKey key, List<TKey> changed)
        {
            if (Changed)
                return;
            Changed = true;
            changed.Add(key);
        }
    }

    /// <summary>A key's counters as held.</summary>
    private sealed class HeldCounters(long[] values) : Held
    {
        public long[] Values { get; } = values;
    }

    /// <summary>A flow matrix cell as held.</summary>
    private sealed class HeldCell(long n) : Held
    {
        public long N = n;
    }

    /// <summary>A window's queued instant (null: none queued) and the generation its entry carries.</summary>
    private struct Queued
    {
        public long? Ticks;
        public int Generation;

        /// <summary>Moves the window to <paramref name="ticks"/>; true when it must be queued anew.</summary>
        public bool MoveTo(long? ticks)
        {
            if (ticks == Ticks)
                return false;
            (Ticks, Generation) = (ticks, Generation + 1);
            return ticks is not null;
        }
    }

    /// <summary>A queue entry: it counts while its generation is the episode's for that window.</summary>
    private readonly record struct Window(Episode Episode, int Generation);

    private HeldCoverage(CoverageProjection projection, string schema, bool shadow) : base(projection, schema) =>
        _episodes = projection.Episodes.Held(schema, projection.HeldRows, shadow);

    protected override IMemberRows Episodes => _episodes;

    /// <summary>Reads the clock, counters, cells and the open episodes whose windows can still lapse; <paramref name="shadow"/>: see <see cref="HeldMemberRows"/>.</summary>
    public static async Task<HeldCoverage> LoadAsync(CoverageProjection projection, NpgsqlConnection c, string schema, bool shadow, CancellationToken ct)
    {
        var state = new HeldCoverage(projection, schema, shadow);
        await state.LoadClockAsync(c, ct).ConfigureAwait(false);
        await using (var cmd = Db.Command(c, $"SELECT org_id, scope, in_province, n, reported, placed, active, effective, contacted, lost, transferring FROM {schema}.counters"))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var values = new long[Deltas.CounterCount];
                for (var i = 0; i < values.Length; i++)
                    values[i] = reader.GetInt64(3 + i);
                state._counters[(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2))] = new HeldCounters(values);
            }
        }
        await using (var cmd = Db.Command(c, $"SELECT year, org_id, scope, in_province, care_outflow, care_inflow, transferred FROM {schema}.ytd"))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                state._ytd[(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3))] = [reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6)];
        }
        await using (var cmd = Db.Command(c, $"SELECT from_region, to_region, n FROM {schema}.cells"))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                state._cells[(reader.GetString(0), reader.GetString(1))] = new HeldCell(reader.GetInt64(2));
        }
        if (state.Clock is { } clock)
        {
            var (idleSince, uncontactedSince) = state.WindowStarts(clock);
            await using var cmd = Db.Command(c, $"""
                SELECT member_id, outflow_org_id, inflow_org_id, in_province, placed, last_activity_at, last_contact_at
                  FROM {schema}.episodes WHERE open AND (last_activity_at > $1 OR last_contact_at > $2)
                """, idleSince, uncontactedSince);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var episode = state.EpisodeOf(reader.GetString(0));
                state.Store(episode, reader.GetString(1), reader.Text(2), reader.GetBoolean(3), reader.GetBoolean(4), reader.Time(5), reader.Time(6), clock);
            }
        }
        return state;
    }

    /// <summary>Writes what is held: the episodes changed since the last flush, the small tables and the clock.</summary>
    public async Task FlushAsync(NpgsqlConnection c, CancellationToken ct)
    {
        await _episodes.FlushAsync(c, ct).ConfigureAwait(false);
        await WriteTablesAsync(c, ct).ConfigureAwait(false);
        await SaveClockAsync(c, ct).ConfigureAwait(false);
    }

    /// <summary>Episodes derive regions and the in-province flag from the tree: those held are written before it changes.</summary>
    public override async Task ApplyOrganizationEventsAsync(NpgsqlConnection c, List<DecodedEvent> events, CancellationToken ct)
    {
        if (OrgTree.ChangesShape(events))
        {
            await _episodes.FlushAsync(c, ct).ConfigureAwait(false);
            (_tree, _regions) = (null, null);
        }
        await base.ApplyOrganizationEventsAsync(c, events, ct).ConfigureAwait(false);
    }

    protected override Task LapseAsync(NpgsqlConnection c, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var (fromIdle, fromUncontacted) = WindowStarts(from);
        var (toIdle, toUncontacted) = WindowStarts(to);
        Lapse(_activity, static e => ref e.Activity, fromIdle, toIdle, (values, e) =>
        {
            values[3]--;
            if (e.Placed)
                values[4]--;
        });
        Lapse(_contact, static e => ref e.Contact, fromUncontacted, toUncontacted, (values, _) => values[5]--);
        return Task.CompletedTask;
    }

    protected override async Task<Dictionary<string, string>> RegionsAsync(NpgsqlConnection c, IEnumerable<MemberRow> rows, List<DecodedEvent> events, CancellationToken ct) =>
        _regions ??= (await TreeAsync(c, ct).ConfigureAwait(false)).ToDictionary(kv => kv.Key, kv => kv.Value.Region, StringComparer.Ordinal);

    /// <summary>One set of deltas for every batch: emptied, not reallocated, so its dictionaries need not grow again each time.</summary>
    protected override Deltas DeltasFor(DateTimeOffset clock, Dictionary<string, string> regions) =>
        _deltas?.Reset(clock, regions) ?? (_deltas = base.DeltasFor(clock, regions));

    /// <summary>Adds the deltas as the stored path's upserts would (a key whose count of episodes drops to 0 is removed).</summary>
    protected override Task WriteAsync(NpgsqlConnection c, Deltas deltas, List<MemberRow> written, CancellationToken ct)
    {
        foreach (var (key, delta) in deltas.Counters)
        {
            if (!delta.AsSpan().ContainsAnyExcept(0L))
                continue;
            var held = CollectionsMarshal.GetValueRefOrAddDefault(_counters, key, out _) ??= new HeldCounters(new long[Deltas.CounterCount]);
            var values = held.Values;
            for (var i = 0; i < values.Length; i++)
                values[i] += delta[i];
            held.Mark(key, _changedCounters);
            if (values[0] == 0)
                _counters.Remove(key);
        }
        foreach (var (key, delta) in deltas.Flows)
        {
            Add(_flows, key, delta);
            var year = (key.Month.Year, key.Org, key.Scope, key.InProvince);
            Add(_ytd, year, delta);
            _changedYtd.Add(year);
        }
        foreach (var (key, delta) in deltas.Cells)
        {
            if (delta == 0)
                continue;
            var cell = CollectionsMarshal.GetValueRefOrAddDefault(_cells, key, out _) ??= new HeldCell(0);
            cell.N += delta;
            cell.Mark(key, _changedCells);
            if (cell.N == 0)
                _cells.Remove(key);
        }
        if (_episodes.Evictions != _evictions)
            ForgetEpisodesWithoutWindows();
        foreach (var row in written)
        {
            var episode = (Episode)(row.Beside ??= EpisodeOf(row.MemberId));
            if (row.IsOpen)
                Store(episode, row.OutflowOrgId, row.InflowOrgId, deltas.InProvince(row), row.CountsPlaced, row.LastActivityAt, row.LastContactAt, Clock!.Value);
            else
                Store(episode, null, null, Clock!.Value);
        }
        return Task.CompletedTask;
    }

    /// <summary>The stored path's roll-up (see <see cref="CoverageState.FreezeMonthAsync"/>), over the counters and year held here.</summary>
    protected override async Task FreezeMonthAsync(NpgsqlConnection c, DateOnly month, CancellationToken ct)
    {
        var tree = await TreeAsync(c, ct).ConfigureAwait(false);
        // n, reported, placed, active, effective, contacted, lost, transferring; then transferred, care outflow, care inflow
        var sums = new Dictionary<(string Org, string Scope, bool InProvince), long[]>();
        void RollUp(string org, string scope, bool inProvince, int offset, ReadOnlySpan<long> values)
        {
            if (!tree.TryGetValue(org, out var place))
                return; // the statement's join drops organisations the tree does not know
            foreach (var ancestor in place.Ancestors)
            {
                if (!sums.TryGetValue((ancestor, scope, inProvince), out var sum))
                    sums[(ancestor, scope, inProvince)] = sum = new long[Deltas.CounterCount + 3];
                for (var i = 0; i < values.Length; i++)
                    sum[offset + i] += values[i];
            }
        }
        foreach (var (key, held) in _counters)
            RollUp(key.Org, key.Scope, key.InProvince, 0, held.Values);
        foreach (var (key, values) in _ytd)
        {
            if (key.Year == month.Year)
                RollUp(key.Org, key.Scope, key.InProvince, Deltas.CounterCount, [values[2], values[0], values[1]]);
        }
        var rows = sums.Where(kv => kv.Value[0] != 0 || kv.Value[8] != 0 || kv.Value[9] != 0 || kv.Value[10] != 0).ToList();
        var m = new NpgsqlParameter<DateOnly> { TypedValue = month };
        await Db.ExecuteBatchAsync(c, ct,
            ($"""
            INSERT INTO {Schema}.monthly
            SELECT $1, * FROM unnest($2::text[], $3::text[], $4::boolean[], {string.Join(", ", Enumerable.Range(5, 11).Select(i => $"${i}::bigint[]"))})
            """, [m, rows.Select(r => r.Key.Org).ToArray(), rows.Select(r => r.Key.Scope).ToArray(), rows.Select(r => r.Key.InProvince).ToArray(),
                .. Enumerable.Range(0, 11).Select(i => (object?)rows.Select(r => r.Value[i]).ToArray())]),
            ($"INSERT INTO {Schema}.monthly_cells SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[])",
                [new NpgsqlParameter<DateOnly> { TypedValue = month }, _cells.Keys.Select(k => k.From).ToArray(), _cells.Keys.Select(k => k.To).ToArray(), _cells.Values.Select(v => v.N).ToArray()]))
            .ConfigureAwait(false);
    }

    private async Task<Dictionary<string, OrgPlace>> TreeAsync(NpgsqlConnection c, CancellationToken ct) =>
        _tree ??= await OrgTree.PlacesAsync(c, Schema, ct).ConfigureAwait(false);

    private static void Add<TKey>(Dictionary<TKey, long[]> target, TKey key, long[] delta) where TKey : notnull
    {
        if (!target.TryGetValue(key, out var values))
            target[key] = values = new long[delta.Length];
        for (var i = 0; i < values.Length; i++)
            values[i] += delta[i];
    }

    /// <summary>
    /// When the member rows were let go, lets go the stored episodes whose windows are not queued too: they hold nothing
    /// a lapse can need, and one is made again when its member is written. So what coverage keeps per member stays
    /// bounded by the members active or contacted within their windows, as the rows are by <c>heldRowsPerSession</c>.
    /// </summary>
    private void ForgetEpisodesWithoutWindows()
    {
        _evictions = _episodes.Evictions;
        foreach (var (memberId, episode) in _stored)
        {
            if (episode.Activity.Ticks is null && episode.Contact.Ticks is null)
                _stored.Remove(memberId);
        }
    }

    private Episode EpisodeOf(string memberId) =>
        CollectionsMarshal.GetValueRefOrAddDefault(_stored, memberId, out _) ??= new Episode();

    /// <summary>An open episode as stored: its columns, and its windows queued unless they have lapsed already (no later lapse can reach them).</summary>
    private void Store(Episode episode, string outflowOrgId, string? inflowOrgId, bool inProvince, bool placed,
        DateTimeOffset? lastActivity, DateTimeOffset? lastContact, DateTimeOffset clock)
    {
        (episode.OutflowOrgId, episode.InflowOrgId, episode.InProvince, episode.Placed) = (outflowOrgId, inflowOrgId, inProvince, placed);
        Store(episode, lastActivity, lastContact, clock);
    }

    /// <summary>Moves the episode's windows (a closed episode has none: pass nulls).</summary>
    private void Store(Episode episode, DateTimeOffset? lastActivity, DateTimeOffset? lastContact, DateTimeOffset clock)
    {
        var (idleSince, uncontactedSince) = WindowStarts(clock);
        if (episode.Activity.MoveTo(lastActivity is { } a && a > idleSince ? a.UtcTicks : null))
            _activity.Enqueue(new Window(episode, episode.Activity.Generation), episode.Activity.Ticks!.Value);
        if (episode.Contact.MoveTo(lastContact is { } t && t > uncontactedSince ? t.UtcTicks : null))
            _contact.Enqueue(new Window(episode, episode.Contact.Generation), episode.Contact.Ticks!.Value);
    }

    private delegate ref Queued WindowOf(Episode episode);

    /// <summary>Takes off the flag of every stored episode whose window ends in (after, upTo], as the stored path's range does.</summary>
    private void Lapse(PriorityQueue<Window, long> queue, WindowOf windowOf, DateTimeOffset after, DateTimeOffset upTo, Action<long[], Episode> subtract)
    {
        while (queue.TryPeek(out var w, out var at) && at <= upTo.UtcTicks)
        {
            queue.Dequeue();
            ref var window = ref windowOf(w.Episode);
            if (window.Generation != w.Generation)
                continue; // moved or closed since it was queued
            window.MoveTo(null);
            if (at <= after.UtcTicks)
                continue;
            var e = w.Episode;
            Subtract((e.OutflowOrgId, CoverageProjection.Out, e.InProvince), e, subtract);
            if (e.InflowOrgId is { } inflow)
                Subtract((inflow, CoverageProjection.In, e.InProvince), e, subtract);
        }
    }

    /// <summary>Like the stored path's <c>UPDATE … FROM</c>: a key without a row is left alone.</summary>
    private void Subtract((string, string, bool) key, Episode e, Action<long[], Episode> subtract)
    {
        if (!_counters.TryGetValue(key, out var held))
            return;
        subtract(held.Values, e);
        held.Mark(key, _changedCounters);
    }

    private (DateTimeOffset IdleSince, DateTimeOffset UncontactedSince) WindowStarts(DateTimeOffset clock) =>
        (clock - Projection.Settings.Idle, clock - Projection.Settings.ContactOverdue);

    /// <summary>Writes the counters, cells and years changed since the last write (absolute values; removed keys deleted) and the pending flows.</summary>
    private async Task WriteTablesAsync(NpgsqlConnection c, CancellationToken ct)
    {
        var s = Schema;
        var changed = _changedCounters.Distinct().ToList();
        var counters = changed.Where(_counters.ContainsKey).ToList();
        var removed = changed.Where(k => !_counters.ContainsKey(k)).ToList();
        if (counters.Count > 0)
        {
            var names = Deltas.CounterNames;
            await Db.ExecuteAsync(c, $"""
                INSERT INTO {s}.counters AS k
                SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[], {string.Join(", ", names.Select((_, i) => $"${i + 4}::bigint[]"))})
                ON CONFLICT (org_id, scope, in_province) DO UPDATE SET {string.Join(", ", names.Select(n => $"{n} = excluded.{n}"))}
                """, ct, [counters.Select(k => k.Org).ToArray(), counters.Select(k => k.Scope).ToArray(), counters.Select(k => k.InProvince).ToArray(),
                .. names.Select((_, i) => (object?)counters.Select(k => _counters[k].Values[i]).ToArray())]).ConfigureAwait(false);
        }
        if (removed.Count > 0)
        {
            await Db.ExecuteAsync(c, $"""
                DELETE FROM {s}.counters k USING unnest($1::text[], $2::text[], $3::boolean[]) AS e(org_id, scope, in_province)
                 WHERE k.org_id = e.org_id AND k.scope = e.scope AND k.in_province = e.in_province
                """, ct, removed.Select(k => k.Org).ToArray(), removed.Select(k => k.Scope).ToArray(), removed.Select(k => k.InProvince).ToArray()).ConfigureAwait(false);
        }
        foreach (var key in counters)
            _counters[key].Changed = false;
        _changedCounters.Clear();

        var changedCells = _changedCells.Distinct().ToList();
        var cells = changedCells.Where(_cells.ContainsKey).ToList();
        var emptied = changedCells.Where(k => !_cells.ContainsKey(k)).ToList();
        if (cells.Count > 0)
        {
            await Db.ExecuteAsync(c, $"""
                INSERT INTO {s}.cells AS k SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
                ON CONFLICT (from_region, to_region) DO UPDATE SET n = excluded.n
                """, ct, cells.Select(k => k.From).ToArray(), cells.Select(k => k.To).ToArray(), cells.Select(k => _cells[k].N).ToArray()).ConfigureAwait(false);
        }
        if (emptied.Count > 0)
        {
            await Db.ExecuteAsync(c, $"""
                DELETE FROM {s}.cells k USING unnest($1::text[], $2::text[]) AS e(from_region, to_region)
                 WHERE k.from_region = e.from_region AND k.to_region = e.to_region
                """, ct, emptied.Select(k => k.From).ToArray(), emptied.Select(k => k.To).ToArray()).ConfigureAwait(false);
        }
        foreach (var key in cells)
            _cells[key].Changed = false;
        _changedCells.Clear();

        await Deltas.WriteFlowsAsync(c, s, _flows, ct, yearToDate: false).ConfigureAwait(false);
        _flows.Clear();
        var years = _changedYtd.ToList();
        if (years.Count > 0)
        {
            await Db.ExecuteAsync(c, $"""
                INSERT INTO {s}.ytd AS y (year, org_id, scope, in_province, care_outflow, care_inflow, transferred)
                SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::boolean[], $5::bigint[], $6::bigint[], $7::bigint[])
                ON CONFLICT (year, org_id, scope, in_province) DO UPDATE
                   SET care_outflow = excluded.care_outflow, care_inflow = excluded.care_inflow, transferred = excluded.transferred
                """, ct, years.Select(k => k.Year).ToArray(), years.Select(k => k.Org).ToArray(), years.Select(k => k.Scope).ToArray(),
                years.Select(k => k.InProvince).ToArray(), years.Select(k => _ytd[k][0]).ToArray(), years.Select(k => _ytd[k][1]).ToArray(),
                years.Select(k => _ytd[k][2]).ToArray()).ConfigureAwait(false);
        }
        _changedYtd.Clear();
    }

    /// <summary>A rebuild's coverage: the state is read at the first batch and kept from chunk to chunk by the runner.</summary>
    internal sealed class Session(CoverageProjection projection, string schema, bool shadow) : IProjectionSession
    {
        private HeldCoverage? _state;

        public async Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
        {
            var decoded = projection.DecodePage(events);
            if (decoded.Count == 0)
                return;
            _state ??= await LoadAsync(projection, connection, schema, shadow, ct).ConfigureAwait(false);
            await CoverageProjection.ApplyAsync(connection, _state, decoded, ct).ConfigureAwait(false);
        }

        public Task FlushAsync(NpgsqlConnection connection, CancellationToken ct) =>
            _state?.FlushAsync(connection, ct) ?? Task.CompletedTask;
    }
}
