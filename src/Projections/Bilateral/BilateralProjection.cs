using CoManagement.Domain.Agreements;
using CoManagement.EventStore;
using CoManagement.Projections.Common;
using Npgsql;

namespace CoManagement.Projections.Bilateral;

/// <summary>
/// The bilateral audit view (async): <c>agreements</c>, <c>consultations</c> and <c>action_items</c> from the agreement
/// streams, over its own copy of the organisation tree. The members an agreement covers, and what each side did for
/// them (who registered, received the report, placed; contacts, activities and care visits by side), are read at query
/// time from the roster, which already keeps exactly that per member: a second million-row copy here would double the
/// cost of every member event and of every rebuild for no new fact. Coverage is decided from the two departments'
/// subtrees (see <c>AgreementQuery</c>), so an agreement signed later covers its members at once.
/// </summary>
internal sealed class BilateralProjection(EventTypeRegistry registry)
    : DomainProjection(registry, StreamKind.Organization, StreamKind.Agreement)
{
    public override string Name => ProjectionNames.Bilateral;

    /// <summary>2: members are read from the roster; the copy of them here is gone.</summary>
    public override int Version => 2;

    public override Task CreateAsync(NpgsqlConnection connection, string schema, CancellationToken ct) =>
        Db.ExecuteAsync(connection, OrgTree.Create(schema) + $"""
            CREATE TABLE {schema}.agreements (
                id text PRIMARY KEY,
                title text NOT NULL,
                outflow_department_id text NOT NULL,
                inflow_department_id text NOT NULL,
                extra_party_ids text[] NOT NULL,
                commitments text[] NOT NULL,
                sharing_days int NOT NULL,
                signed_at timestamptz NOT NULL,
                ended_at timestamptz,
                end_reason text);
            CREATE INDEX ON {schema}.agreements (outflow_department_id);
            CREATE INDEX ON {schema}.agreements (inflow_department_id);
            CREATE TABLE {schema}.consultations (
                agreement_id text NOT NULL,
                consultation_id text NOT NULL,
                topic text NOT NULL,
                held_at timestamptz NOT NULL,
                PRIMARY KEY (agreement_id, consultation_id));
            CREATE TABLE {schema}.action_items (
                agreement_id text NOT NULL,
                item_id text NOT NULL,
                consultation_id text NOT NULL,
                text text NOT NULL,
                owner_side text NOT NULL,
                due_at timestamptz NOT NULL,
                completed_at timestamptz,
                PRIMARY KEY (agreement_id, item_id));
            CREATE INDEX ON {schema}.action_items (due_at) WHERE completed_at IS NULL;
            """, ct);

    protected override async Task ApplyRunAsync(NpgsqlConnection c, string s, StreamKind kind, List<DecodedEvent> events, CancellationToken ct)
    {
        if (kind == StreamKind.Organization)
        {
            await OrgTree.ApplyAsync(c, s, events, null, ct).ConfigureAwait(false);
            return;
        }
        // Agreements are few and their events rare: one statement each keeps this readable.
        foreach (var e in events)
            await ApplyAgreementEventAsync(c, s, e.Event, ct).ConfigureAwait(false);
    }

    private static Task ApplyAgreementEventAsync(NpgsqlConnection c, string s, object e, CancellationToken ct) => e switch
    {
        AgreementSigned x => Db.ExecuteAsync(c, $"INSERT INTO {s}.agreements VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)", ct,
            x.AgreementId, x.Title, x.OutflowDepartmentId, x.InflowDepartmentId, x.ExtraPartyIds.ToArray(),
            x.Commitments.Select(m => m.ToString()).ToArray(), x.InformationSharingDays, x.SignedAt),
        ConsultationHeld x => Db.ExecuteBatchAsync(c, ct,
            ($"INSERT INTO {s}.consultations VALUES ($1, $2, $3, $4)", [x.AgreementId, x.ConsultationId, x.Topic, x.HeldAt]),
            ($"""
            INSERT INTO {s}.action_items (agreement_id, item_id, consultation_id, text, owner_side, due_at)
            SELECT $1, i.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS i
            """, [x.AgreementId, x.ActionItems.Select(i => i.ItemId).ToArray(), x.ActionItems.Select(_ => x.ConsultationId).ToArray(),
                x.ActionItems.Select(i => i.Text).ToArray(), x.ActionItems.Select(i => i.Owner.ToString()).ToArray(),
                Db.TimeArray(x.ActionItems.Select(i => i.DueAt))])),
        ActionItemCompleted x => Db.ExecuteAsync(c, $"UPDATE {s}.action_items SET completed_at = $3 WHERE agreement_id = $1 AND item_id = $2", ct,
            x.AgreementId, x.ItemId, x.CompletedAt),
        AgreementEnded x => Db.ExecuteAsync(c, $"UPDATE {s}.agreements SET ended_at = $2, end_reason = $3 WHERE id = $1", ct,
            x.AgreementId, x.EndedAt, Db.Text(x.Reason)),
        _ => Task.CompletedTask,
    };
}
