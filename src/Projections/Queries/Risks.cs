using CoManagement.Domain.Common;
using CoManagement.Domain.Members;

namespace CoManagement.Projections.Queries;

/// <summary>
/// The risk flags as SQL over a member table and as C# over one row, both with the thresholds of
/// <see cref="DomainSettings"/> and the same comparisons as <see cref="RiskRules"/>. Report overdue, lost
/// contact and transfer expected match partial indexes of the roster; contact and activity dates are filtered within
/// the subtree (indexing them would turn the commonest updates into non-HOT ones, see <c>MemberTable</c>).
/// </summary>
internal static class Risks
{
    public static readonly MemberRisks[] Flags =
        [MemberRisks.ReportOverdue, MemberRisks.ContactOverdue, MemberRisks.Idle, MemberRisks.LongIdle, MemberRisks.LostContact, MemberRisks.TransferExpected];

    /// <summary>
    /// The condition for one flag over the member table aliased <c>m</c>; <paramref name="cutoff"/> names a timestamp
    /// parameter holding <see cref="Cutoff"/>.
    /// </summary>
    public static string Condition(MemberRisks flag, string cutoff) => flag switch
    {
        MemberRisks.ReportOverdue => $"(m.closed_at IS NULL AND m.lost_at IS NULL AND m.reported_at IS NULL AND m.awaiting_report_since < {cutoff})",
        MemberRisks.ContactOverdue => $"(m.closed_at IS NULL AND m.lost_at IS NULL AND coalesce(m.last_contact_at, m.started_at) < {cutoff})",
        MemberRisks.Idle or MemberRisks.LongIdle => $"(m.closed_at IS NULL AND m.lost_at IS NULL AND coalesce(m.last_activity_at, m.started_at) < {cutoff})",
        MemberRisks.LostContact => "(m.closed_at IS NULL AND m.lost_at IS NOT NULL)",
        MemberRisks.TransferExpected => $"(m.closed_at IS NULL AND m.lost_at IS NULL AND m.transfer_to_org_id IS NULL AND m.reported_at <= {cutoff})",
        _ => throw new ArgumentException($"'{flag}' is not a single risk flag.", nameof(flag)),
    };

    /// <summary>The date a list of this flag is best sorted by (oldest first).</summary>
    public static string SortExpression(MemberRisks flag) => flag switch
    {
        MemberRisks.ReportOverdue => "m.awaiting_report_since",
        MemberRisks.ContactOverdue => "coalesce(m.last_contact_at, m.started_at)",
        MemberRisks.Idle or MemberRisks.LongIdle => "coalesce(m.last_activity_at, m.started_at)",
        MemberRisks.LostContact => "m.lost_at",
        _ => "m.reported_at",
    };

    public static DateTimeOffset Cutoff(MemberRisks flag, DateTimeOffset now, DomainSettings settings) => flag switch
    {
        MemberRisks.ReportOverdue => now - settings.ReportOverdue,
        MemberRisks.ContactOverdue => now - settings.ContactOverdue,
        MemberRisks.Idle => now - settings.Idle,
        MemberRisks.LongIdle => now - settings.LongIdle,
        MemberRisks.TransferExpected => now - settings.TransferExpectedAfter,
        _ => now,
    };

    public static MemberRisks At(RosterEntry e, DateTimeOffset now, DomainSettings settings) => e.ClosedAt is not null
        ? MemberRisks.None
        : RiskRules.Judge(now, settings, e.LostAt is not null, e.DepartedAt < e.RegisteredAt ? e.DepartedAt : e.RegisteredAt,
            e.MovedAt ?? e.DepartedAt, e.ReportedAt, e.LastContactAt, e.LastActivityAt, e.TransferToOrgId is not null);
}
