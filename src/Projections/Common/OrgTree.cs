using CoManagement.Domain.Organizations;
using Npgsql;

namespace CoManagement.Projections.Common;

/// <summary>
/// The organisation tree, kept by every projection that needs it in its own schema so that each projection can be
/// rebuilt on its own (a projection never reads another one's tables while applying). <c>ancestors</c> runs from the
/// root to the organisation itself, so "in the subtree of X" is <c>ancestors @&gt; ARRAY[X]</c> on a GIN index.
/// Targets are kept with the position that set them: a closed month reads the targets known when it closed.
/// </summary>
internal static class OrgTree
{
    public static string Create(string s) => $"""
        CREATE TABLE {s}.orgs (
            id text PRIMARY KEY,
            name text NOT NULL,
            parent_id text,
            kind text NOT NULL,
            side text NOT NULL,
            region text NOT NULL,
            province text NOT NULL,
            is_open boolean NOT NULL DEFAULT true,
            established_at timestamptz NOT NULL,
            closed_at timestamptz,
            ancestors text[] NOT NULL,
            depth int NOT NULL);
        CREATE INDEX ON {s}.orgs USING gin (ancestors);
        CREATE INDEX ON {s}.orgs (parent_id);
        CREATE TABLE {s}.targets (
            org_id text NOT NULL,
            metric text NOT NULL,
            year int NOT NULL,
            value numeric(5,4) NOT NULL,
            set_at timestamptz NOT NULL,
            position bigint NOT NULL,
            PRIMARY KEY (org_id, metric, year, position));
        """;

    public static bool Handles(object e) => e is IOrganizationEvent;

    /// <summary>Every organisation's ancestors, region and province, as the tree is now: what member rows derive from it.</summary>
    public static async Task<Dictionary<string, OrgPlace>> PlacesAsync(NpgsqlConnection c, string s, CancellationToken ct)
    {
        var places = new Dictionary<string, OrgPlace>(StringComparer.Ordinal);
        await using var cmd = Db.Command(c, $"SELECT id, ancestors, region, province FROM {s}.orgs");
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            places[reader.GetString(0)] = new OrgPlace(reader.GetFieldValue<string[]>(1), reader.GetString(2), reader.GetString(3));
        return places;
    }

    /// <summary>Whether the events create or move organisations, which changes what member rows derive from the tree.</summary>
    public static bool ChangesShape(IEnumerable<DecodedEvent> events) => events.Any(e => e.Event is OrganizationCreated or OrganizationReparented);

    /// <summary>
    /// Applies organisation events in order. Creations in a row go in one statement; <paramref name="reparented"/> is
    /// called after a branch moved, with the path its root had before (<see cref="OrgPlace.PathOf"/>), so the caller
    /// can refresh the paths it copied onto its own rows.
    /// </summary>
    public static async Task ApplyAsync(NpgsqlConnection c, string s, IReadOnlyList<DecodedEvent> events,
        Func<string, Task>? reparented, CancellationToken ct)
    {
        for (var i = 0; i < events.Count;)
        {
            if (events[i].Event is OrganizationCreated)
            {
                var run = events.Skip(i).TakeWhile(e => e.Event is OrganizationCreated).Select(e => (OrganizationCreated)e.Event).ToList();
                await CreateAsync(c, s, run, ct).ConfigureAwait(false);
                i += run.Count;
                continue;
            }
            var e = events[i++];
            switch (e.Event)
            {
                case OrganizationRenamed x:
                    await Db.ExecuteAsync(c, $"UPDATE {s}.orgs SET name = $2 WHERE id = $1", ct, x.OrganizationId, x.Name).ConfigureAwait(false);
                    break;
                case OrganizationClosed x:
                    await Db.ExecuteAsync(c, $"UPDATE {s}.orgs SET is_open = false, closed_at = $2 WHERE id = $1", ct, x.OrganizationId, x.ClosedAt).ConfigureAwait(false);
                    break;
                case TargetSet x:
                    await Db.ExecuteAsync(c, $"INSERT INTO {s}.targets VALUES ($1, $2, $3, $4, $5, $6)", ct,
                        x.OrganizationId, x.Metric.ToString(), x.Year, x.Value, x.SetAt, e.Position).ConfigureAwait(false);
                    break;
                case OrganizationReparented x:
                    var before = reparented is null ? null : await PathAsync(c, s, x.OrganizationId, ct).ConfigureAwait(false);
                    // Every row of the moved subtree keeps its path below the moved organisation and takes the new parent's path above it.
                    await Db.ExecuteAsync(c, $"""
                        UPDATE {s}.orgs o
                           SET ancestors = p.ancestors || o.ancestors[array_position(o.ancestors, $1):],
                               depth = cardinality(p.ancestors) + cardinality(o.ancestors) - array_position(o.ancestors, $1) + 1,
                               parent_id = CASE WHEN o.id = $1 THEN $2 ELSE o.parent_id END
                          FROM (SELECT coalesce((SELECT ancestors FROM {s}.orgs WHERE id = $2), ARRAY[$2]) AS ancestors) p
                         WHERE o.ancestors @> ARRAY[$1]
                        """, ct, x.OrganizationId, x.ParentId).ConfigureAwait(false);
                    if (reparented is not null && before is not null)
                        await reparented(before).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>The organisation's path as the tree has it now, or null when the tree does not know it.</summary>
    public static async Task<string?> PathAsync(NpgsqlConnection c, string s, string orgId, CancellationToken ct)
    {
        await using var cmd = Db.Command(c, $"SELECT ancestors FROM {s}.orgs WHERE id = $1", orgId);
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is string[] ancestors ? OrgPlace.PathOf(ancestors) : null;
    }

    private static async Task CreateAsync(NpgsqlConnection c, string s, List<OrganizationCreated> created, CancellationToken ct)
    {
        // Parents created in the same run are resolved here; older ones are read once.
        var known = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var outside = created.Select(x => x.ParentId).OfType<string>().Distinct().ToArray();
        await using (var cmd = Db.Command(c, $"SELECT id, ancestors FROM {s}.orgs WHERE id = ANY($1)", (object)outside))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                known[reader.GetString(0)] = reader.GetFieldValue<string[]>(1);

        var ancestors = new string[created.Count];
        for (var i = 0; i < created.Count; i++)
        {
            var x = created[i];
            var path = x.ParentId is { } p ? known.GetValueOrDefault(p) ?? [p] : [];
            known[x.OrganizationId] = [.. path, x.OrganizationId];
            // Arrays of arrays cannot be unnested row by row, so each path travels as one delimited string.
            ancestors[i] = string.Join('\u001f', known[x.OrganizationId]);
        }
        await Db.ExecuteAsync(c, $"""
            INSERT INTO {s}.orgs (id, name, parent_id, kind, side, region, province, established_at, ancestors, depth)
            SELECT u.id, u.name, u.parent_id, u.kind, u.side, u.region, left(u.region, 2), u.established_at, a.path, cardinality(a.path)
              FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[])
                   AS u(id, name, parent_id, kind, side, region, established_at, path),
                   LATERAL (SELECT string_to_array(u.path, E'\x1f') AS path) a
            """, ct,
            created.Select(x => x.OrganizationId).ToArray(),
            created.Select(x => x.Name).ToArray(),
            Db.TextArray(created.Select(x => x.ParentId)),
            created.Select(x => x.Kind.ToString()).ToArray(),
            created.Select(x => x.Side.ToString()).ToArray(),
            created.Select(x => x.Region.Value).ToArray(),
            Db.TimeArray(created.Select(x => x.EstablishedAt)),
            ancestors).ConfigureAwait(false);
    }
}

/// <summary>What a member row takes from an organisation of the tree; <see cref="Path"/> is its ancestors as one string.</summary>
internal sealed record OrgPlace(string[] Ancestors, string Region, string Province)
{
    public string Path { get; } = PathOf(Ancestors);

    /// <summary><c>'/' || array_to_string(ancestors, '/') || '/'</c>, as <c>MemberTable.Path</c> writes it in SQL.</summary>
    public static string PathOf(string[] ancestors) => $"/{string.Join('/', ancestors)}/";
}
