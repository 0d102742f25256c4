using CoManagement.Domain.Common;

namespace CoManagement.Domain.Members;

/// <summary>
/// A member's stream folded: who they are, their formal organisation, and the latest episode (open or last closed).
/// Earlier episodes are only counted; their detail stays in the stream and the projections.
/// </summary>
public sealed record MemberState
{
    public static readonly MemberState Initial = new();

    public string? MemberId { get; init; }

    public string? MemberName { get; init; }

    public string? IdNumber { get; init; }

    /// <summary>Where the formal relationship sits: the outflow organisation, or the receiver after a transfer.</summary>
    public string? FormalOrgId { get; init; }

    public int EpisodeCount { get; init; }

    public Episode? Episode { get; init; }

    public Episode? OpenEpisode => Episode is { IsOpen: true } e ? e : null;

    public MemberStatus Status => Episode switch
    {
        null => MemberStatus.NotMobile,
        { Outcome: EpisodeOutcome.Returned } => MemberStatus.Returned,
        { Outcome: EpisodeOutcome.Transferred } => MemberStatus.Transferred,
        { Outcome: EpisodeOutcome.MembershipEnded } => MemberStatus.MembershipEnded,
        { SuspendedAt: not null } => MemberStatus.Suspended,
        { LostAt: not null } => MemberStatus.LostContact,
        { TransferToOrgId: not null } => MemberStatus.Transferring,
        { PlacedAt: not null } => MemberStatus.Placed,
        { ReportedAt: not null } => MemberStatus.Reported,
        _ => MemberStatus.Outflowed,
    };

    /// <summary>The risk-list flags at <paramref name="at"/>, with the thresholds from <paramref name="settings"/>.</summary>
    public MemberRisks RisksAt(DateTimeOffset at, DomainSettings settings) => OpenEpisode is { } e
        ? RiskRules.Judge(at, settings, e.LostAt is not null, e.StartedAt, e.AwaitingReportSince, e.ReportedAt,
            e.LastContactAt, e.LastActivityAt, e.TransferToOrgId is not null)
        : MemberRisks.None;
}

/// <summary>
/// The risk-list rules over an open episode's dates, one place for the domain's fold and the roster's rows (the
/// roster's SQL, <c>Projections.Queries.Risks</c>, states the same comparisons for its filters).
/// </summary>
public static class RiskRules
{
    public static MemberRisks Judge(DateTimeOffset at, DomainSettings settings, bool lost, DateTimeOffset startedAt,
        DateTimeOffset awaitingReportSince, DateTimeOffset? reportedAt, DateTimeOffset? lastContactAt,
        DateTimeOffset? lastActivityAt, bool transferStarted)
    {
        if (lost)
            return MemberRisks.LostContact;

        var risks = MemberRisks.None;
        if (reportedAt is null && at - awaitingReportSince > settings.ReportOverdue)
            risks |= MemberRisks.ReportOverdue;
        if (at - (lastContactAt ?? startedAt) > settings.ContactOverdue)
            risks |= MemberRisks.ContactOverdue;
        var idleSince = lastActivityAt ?? startedAt;
        if (at - idleSince > settings.Idle)
            risks |= MemberRisks.Idle;
        if (at - idleSince > settings.LongIdle)
            risks |= MemberRisks.LongIdle;
        if (!transferStarted && reportedAt is { } reported && at - reported >= settings.TransferExpectedAfter)
            risks |= MemberRisks.TransferExpected;
        return risks;
    }
}

[Flags]
public enum MemberRisks
{
    None = 0,
    ReportOverdue = 1,
    ContactOverdue = 2,
    Idle = 4,
    LongIdle = 8,
    LostContact = 16,
    TransferExpected = 32,
}
