using System.Runtime.InteropServices;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Projections.Common;
using CoManagement.Projections.Members;
using Npgsql;

namespace CoManagement.Projections.Coverage;

/// <summary>
/// What a batch changes in the coverage counters, summed in memory per key and written with one statement per table.
/// An episode's contribution is taken away as it was and added back as it is; the windowed flags are judged at the
/// batch's clock, the same instant the clock advance used for everything else.
/// </summary>
internal sealed class Deltas(DomainSettings settings, DateTimeOffset clock, Dictionary<string, string> regions)
{
    private DateTimeOffset _clock = clock;
    private Dictionary<string, string> _regions = regions;
    private readonly Dictionary<(string Org, string Scope, bool InProvince), long[]> _counters = [];
    private readonly Dictionary<(string Org, string Scope, bool InProvince, DateOnly Month), long[]> _flows = [];
    private readonly Dictionary<(string From, string To), long> _cells = [];

    /// <summary>The counters' columns, in the order of the values kept per key.</summary>
    public static readonly string[] CounterNames = ["n", "reported", "placed", "active", "effective", "contacted", "lost", "transferring"];

    public static readonly int CounterCount = CounterNames.Length;

    public IReadOnlyDictionary<(string Org, string Scope, bool InProvince), long[]> Counters => _counters;

    public IReadOnlyDictionary<(string Org, string Scope, bool InProvince, DateOnly Month), long[]> Flows => _flows;

    public IReadOnlyDictionary<(string From, string To), long> Cells => _cells;

    /// <summary>Empties the deltas for the next batch, keeping what the dictionaries have grown to.</summary>
    public Deltas Reset(DateTimeOffset clock, Dictionary<string, string> regions)
    {
        (_clock, _regions) = (clock, regions);
        _counters.Clear();
        _flows.Clear();
        _cells.Clear();
        return this;
    }

    /// <summary>
    /// What an episode adds to the counters and the flow matrix at the batch's clock: its keys, and a bit per counter
    /// after <c>n</c> (bit i for <see cref="CounterNames"/>[i]). Nothing when there is no episode or it is closed.
    /// </summary>
    public readonly record struct Contribution(string? OutflowOrgId, string? InflowOrgId, bool InProvince, string? From, string? To, int Flags)
    {
        public bool Counts => OutflowOrgId is not null;
    }

    public Contribution Of(MemberRow? row)
    {
        if (row is not { IsOpen: true })
            return default;
        var inProvince = InProvince(row, out var from, out var to);
        var active = row.LastActivityAt > _clock - settings.Idle;
        var placed = row.CountsPlaced;
        var flags = (row.CountsReported ? 1 << 1 : 0) | (placed ? 1 << 2 : 0) | (active ? 1 << 3 : 0) | (active && placed ? 1 << 4 : 0)
            | (row.LastContactAt > _clock - settings.ContactOverdue ? 1 << 5 : 0) | (row.CountsLost ? 1 << 6 : 0) | (row.CountsTransferring ? 1 << 7 : 0);
        return new(row.OutflowOrgId, row.InflowOrgId, inProvince, from, to, flags);
    }

    /// <summary>
    /// Takes an episode's contribution away as it was and adds it back as it is. Under the same keys only the flags that
    /// changed are added, and an episode whose flags did not change (most events) touches no counter at all.
    /// </summary>
    public void Change(in Contribution before, in Contribution after)
    {
        if (before.Counts && after.Counts && before.OutflowOrgId == after.OutflowOrgId && before.InflowOrgId == after.InflowOrgId
            && before.InProvince == after.InProvince)
        {
            if (before.Flags != after.Flags)
                AddFlags(after, after.Flags, +1, before.Flags, -1);
        }
        else
        {
            if (before.Counts)
                AddFlags(before, before.Flags | 1, -1, 0, 0);
            if (after.Counts)
                AddFlags(after, after.Flags | 1, +1, 0, 0);
        }
        if (before.From != after.From || before.To != after.To)
        {
            if (before.From is not null)
                CollectionsMarshal.GetValueRefOrAddDefault(_cells, (before.From, before.To!), out _)--;
            if (after.From is not null)
                CollectionsMarshal.GetValueRefOrAddDefault(_cells, (after.From, after.To!), out _)++;
        }
    }

    /// <summary>Adds <paramref name="sign"/> for each bit of <paramref name="flags"/> and <paramref name="otherSign"/> for each of <paramref name="other"/>, under the episode's keys.</summary>
    private void AddFlags(in Contribution c, int flags, int sign, int other, int otherSign)
    {
        Add(Counter((c.OutflowOrgId!, CoverageProjection.Out, c.InProvince)), flags, sign, other, otherSign);
        if (c.InflowOrgId is { } inflow)
            Add(Counter((inflow, CoverageProjection.In, c.InProvince)), flags, sign, other, otherSign);
    }

    private static void Add(long[] target, int flags, int sign, int other, int otherSign)
    {
        for (var i = 0; i < target.Length; i++)
            target[i] += sign * ((flags >> i) & 1) + otherSign * ((other >> i) & 1);
    }

    /// <summary>Events counted in the month they happened: care visits by side, completed transfers.</summary>
    public void Flow(MemberRow row, DecodedEvent e)
    {
        var (index, at) = e.Event switch
        {
            CareVisitRecorded { Side: Side.Outflow } x => (0, x.VisitedAt),
            CareVisitRecorded x => (1, x.VisitedAt),
            TransferAccepted x => (2, x.AcceptedAt),
            _ => (-1, default),
        };
        if (index < 0)
            return;
        var inProvince = InProvince(row, out _, out _);
        var month = Months.Of(at);
        FlowRow((row.OutflowOrgId, CoverageProjection.Out, inProvince, month))[index]++;
        if (row.InflowOrgId is { } inflow)
            FlowRow((inflow, CoverageProjection.In, inProvince, month))[index]++;
    }

    public async Task WriteAsync(NpgsqlConnection c, string s, CancellationToken ct)
    {
        var counters = _counters.Where(kv => kv.Value.Any(x => x != 0)).ToList();
        if (counters.Count > 0)
        {
            var names = CounterNames;
            var values = names.Select((_, i) => (object?)counters.Select(kv => kv.Value[i]).ToArray()).ToArray();
            var emptied = await EmptiedAsync(c, $"""
                WITH up AS (
                    INSERT INTO {s}.counters AS k
                    SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[], {string.Join(", ", names.Select((_, i) => $"${i + 4}::bigint[]"))})
                    ON CONFLICT (org_id, scope, in_province) DO UPDATE SET {string.Join(", ", names.Select(n => $"{n} = k.{n} + excluded.{n}"))}
                    RETURNING org_id, scope, in_province::text, n)
                SELECT org_id, scope, in_province FROM up WHERE n = 0
                """, ct, [counters.Select(kv => kv.Key.Org).ToArray(), counters.Select(kv => kv.Key.Scope).ToArray(),
                counters.Select(kv => kv.Key.InProvince).ToArray(), .. values]).ConfigureAwait(false);
            // An emptied key leaves no row behind, so the tables do not depend on where batches were cut.
            if (emptied.Count > 0)
            {
                await Db.ExecuteAsync(c, $"""
                    DELETE FROM {s}.counters k USING unnest($1::text[], $2::text[], $3::boolean[]) AS e(org_id, scope, in_province)
                     WHERE k.org_id = e.org_id AND k.scope = e.scope AND k.in_province = e.in_province AND k.n = 0
                    """, ct, emptied.Select(e => e[0]).ToArray(), emptied.Select(e => e[1]).ToArray(),
                    emptied.Select(e => e[2] == "true").ToArray()).ConfigureAwait(false);
            }
        }
        await WriteFlowsAsync(c, s, _flows, ct).ConfigureAwait(false);
        var cells = _cells.Where(kv => kv.Value != 0).ToList();
        if (cells.Count > 0)
        {
            var emptied = await EmptiedAsync(c, $"""
                WITH up AS (
                    INSERT INTO {s}.cells AS k SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
                    ON CONFLICT (from_region, to_region) DO UPDATE SET n = k.n + excluded.n
                    RETURNING from_region, to_region, n)
                SELECT from_region, to_region FROM up WHERE n = 0
                """, ct, [cells.Select(kv => kv.Key.From).ToArray(), cells.Select(kv => kv.Key.To).ToArray(),
                cells.Select(kv => kv.Value).ToArray()]).ConfigureAwait(false);
            if (emptied.Count > 0)
            {
                await Db.ExecuteAsync(c, $"""
                    DELETE FROM {s}.cells k USING unnest($1::text[], $2::text[]) AS e(from_region, to_region)
                     WHERE k.from_region = e.from_region AND k.to_region = e.to_region AND k.n = 0
                    """, ct, emptied.Select(e => e[0]).ToArray(), emptied.Select(e => e[1]).ToArray()).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Adds care visits and transfers to their months (<c>flows</c>) and, unless the caller keeps the years itself,
    /// to their years (<c>ytd</c>), in one statement.
    /// </summary>
    public static async Task WriteFlowsAsync(NpgsqlConnection c, string s,
        IReadOnlyCollection<KeyValuePair<(string Org, string Scope, bool InProvince, DateOnly Month), long[]>> flows, CancellationToken ct,
        bool yearToDate = true)
    {
        if (flows.Count == 0)
            return;
        await Db.ExecuteAsync(c, $"""
            WITH d AS (
                SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[], $4::date[], $5::bigint[], $6::bigint[], $7::bigint[])
                    AS d(org_id, scope, in_province, month, care_outflow, care_inflow, transferred)),
            monthly AS (
                INSERT INTO {s}.flows AS f SELECT * FROM d
                ON CONFLICT (org_id, scope, in_province, month) DO UPDATE
                   SET care_outflow = f.care_outflow + excluded.care_outflow, care_inflow = f.care_inflow + excluded.care_inflow,
                       transferred = f.transferred + excluded.transferred)
            INSERT INTO {s}.ytd AS y
            SELECT org_id, scope, in_province, extract(year FROM month)::int, sum(care_outflow), sum(care_inflow), sum(transferred)
              FROM d WHERE $8 GROUP BY 1, 2, 3, 4
            ON CONFLICT (year, org_id, scope, in_province) DO UPDATE
               SET care_outflow = y.care_outflow + excluded.care_outflow, care_inflow = y.care_inflow + excluded.care_inflow,
                   transferred = y.transferred + excluded.transferred
            """, ct, flows.Select(kv => kv.Key.Org).ToArray(), flows.Select(kv => kv.Key.Scope).ToArray(),
            flows.Select(kv => kv.Key.InProvince).ToArray(), flows.Select(kv => kv.Key.Month).ToArray(),
            flows.Select(kv => kv.Value[0]).ToArray(), flows.Select(kv => kv.Value[1]).ToArray(), flows.Select(kv => kv.Value[2]).ToArray(),
            yearToDate).ConfigureAwait(false);
    }

    /// <summary>Runs an upsert that returns the keys it brought down to zero.</summary>
    private static async Task<List<string[]>> EmptiedAsync(NpgsqlConnection c, string sql, CancellationToken ct, object?[] values)
    {
        var keys = new List<string[]>();
        await using var cmd = Db.Command(c, sql, values);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var key = new string[reader.FieldCount];
            for (var i = 0; i < key.Length; i++)
                key[i] = reader.GetString(i);
            keys.Add(key);
        }
        return keys;
    }

    /// <summary>The place is where the member reported, else the destination; unknown organisations count as out of province.</summary>
    public bool InProvince(MemberRow row) => InProvince(row, out _, out _);

    private bool InProvince(MemberRow row, out string? from, out string to)
    {
        from = _regions.GetValueOrDefault(row.OutflowOrgId);
        to = row.InflowOrgId is { } i && _regions.TryGetValue(i, out var r) ? r : row.DestinationRegion;
        return from is not null && from.AsSpan(0, 2).SequenceEqual(to.AsSpan(0, 2));
    }

    private long[] Counter((string, string, bool) key) =>
        CollectionsMarshal.GetValueRefOrAddDefault(_counters, key, out _) ??= new long[CounterCount];

    private long[] FlowRow((string, string, bool, DateOnly) key) =>
        CollectionsMarshal.GetValueRefOrAddDefault(_flows, key, out _) ??= new long[3];
}
