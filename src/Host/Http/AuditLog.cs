using System.Diagnostics;
using CoManagement.Host.Auth;
using Npgsql;
using NpgsqlTypes;

namespace CoManagement.Host.Http;

public sealed record AuditRead(long Id, DateTimeOffset ReadAt, string UserId, string Role, string OrganizationId, string Side,
    string? MemberId, string Action, string? Parameters, string? TraceId);

/// <summary>
/// Every auditor read, in an append-only table of a Host-owned schema (<c>{store schema}_host.audit_reads</c>); triggers
/// refuse UPDATE, DELETE and TRUNCATE. A table and not <c>audit-&lt;user&gt;</c> streams: reads are not domain facts, and
/// as events they would flow through the global feed into every projection, the outbox and the seals, with read
/// traffic outgrowing the writes it audits. The row is written before the data leaves, so no read goes unrecorded.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource dataSource, HostSettings settings)
{
    private Task? _created;

    public string Schema { get; } = settings.Schema + "_host";

    /// <summary>Creates the schema and table (idempotent; parallel callers queue on an advisory lock).</summary>
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"""
            SELECT pg_advisory_xact_lock(hashtext('{Schema}'));
            CREATE SCHEMA IF NOT EXISTS {Schema};
            CREATE TABLE IF NOT EXISTS {Schema}.audit_reads (
                id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                read_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
                user_id         text        NOT NULL,
                role            text        NOT NULL,
                organization_id text        NOT NULL,
                side            text        NOT NULL,
                member_id       text,
                action          text        NOT NULL,
                parameters      text,
                trace_id        text
            );
            CREATE INDEX IF NOT EXISTS audit_reads_member ON {Schema}.audit_reads (member_id, id);
            CREATE INDEX IF NOT EXISTS audit_reads_user ON {Schema}.audit_reads (user_id, id);
            CREATE OR REPLACE FUNCTION {Schema}.audit_reads_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_reads is append-only: % refused', TG_OP;
            END $$;
            CREATE OR REPLACE TRIGGER audit_reads_no_change BEFORE UPDATE OR DELETE ON {Schema}.audit_reads
                FOR EACH ROW EXECUTE FUNCTION {Schema}.audit_reads_append_only();
            CREATE OR REPLACE TRIGGER audit_reads_no_truncate BEFORE TRUNCATE ON {Schema}.audit_reads
                FOR EACH STATEMENT EXECUTE FUNCTION {Schema}.audit_reads_append_only();
            """, connection, tx);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    public Task RecordAsync(Caller caller, string? memberId, string action, string? parameters, HttpContext http, CancellationToken ct) =>
        RecordAsync(caller, memberId, action, parameters, Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier, ct);

    public async Task RecordAsync(Caller caller, string? memberId, string action, string? parameters, string? traceId, CancellationToken ct)
    {
        await EnsureCreatedAsync(ct).ConfigureAwait(false);
        await using var cmd = dataSource.CreateCommand($"""
            INSERT INTO {Schema}.audit_reads (user_id, role, organization_id, side, member_id, action, parameters, trace_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """);
        foreach (var value in new[] { caller.UserId, caller.Role, caller.OrganizationId, caller.Side.ToString(), memberId, action, parameters, traceId })
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Reads made by users of an organisation's subtree, by the tree in <paramref name="OrgsSchema"/>'s <c>orgs</c> table.</summary>
    public sealed record Subtree(string OrgsSchema, string OrganizationId);

    /// <summary>
    /// Newest first, optionally for one member or one user, before <paramref name="beforeId"/> (keyset paging), only
    /// reads by users of <paramref name="madeIn"/> (an organisation unknown to the tree has no reads to show).
    /// </summary>
    public async Task<IReadOnlyList<AuditRead>> ListAsync(string? memberId, string? userId, long? beforeId, int limit, Subtree madeIn, CancellationToken ct)
    {
        await EnsureCreatedAsync(ct).ConfigureAwait(false);
        await using var cmd = dataSource.CreateCommand($"""
            SELECT id, read_at, user_id, role, organization_id, side, member_id, action, parameters, trace_id
              FROM {Schema}.audit_reads
             WHERE ($1::text IS NULL OR member_id = $1) AND ($2::text IS NULL OR user_id = $2) AND ($3::bigint IS NULL OR id < $3)
               AND organization_id IN (SELECT id FROM {madeIn.OrgsSchema}.orgs WHERE ancestors @> ARRAY[$5])
             ORDER BY id DESC LIMIT $4
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)memberId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)userId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)beforeId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = madeIn.OrganizationId });
        var rows = new List<AuditRead>();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            rows.Add(new AuditRead(reader.GetInt64(0), new DateTimeOffset(reader.GetFieldValue<DateTime>(1), TimeSpan.Zero),
                reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), Text(reader, 6),
                reader.GetString(7), Text(reader, 8), Text(reader, 9)));
        }
        return rows;
    }

    // Created on first use as well as by the migrate verb, so a Host started on an older database still records reads.
    private async Task EnsureCreatedAsync(CancellationToken ct)
    {
        var created = _created ??= MigrateAsync(CancellationToken.None);
        try
        {
            await created.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            _created = null;
            throw;
        }
    }

    private static string? Text(NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
}
