using System.Runtime.InteropServices;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Projections.Common;

namespace CoManagement.Projections.Members;

/// <summary>
/// A member's latest episode as the read models keep it: the same fold as <see cref="Member.Evolve"/> plus what only
/// a read model needs (who did each step, counts by side, the first report). The roster and the bilateral view store
/// all of it; the coverage projection a slice.
/// </summary>
internal sealed class MemberRow
{
    /// <summary>The strings <see cref="ShareStrings"/> has still to look at: all of a new or read row's, then those the events set.</summary>
    private Unshared _unshared = Unshared.All;

    [Flags]
    private enum Unshared : byte
    {
        None = 0,
        Report = 1 << 0,
        Placement = 1 << 1,
        Destination = 1 << 2,
        Transfer = 1 << 3,
        All = 0xff,
    }

    public string MemberId { get; set; } = "";
    public string Name { get; set; } = "";
    public string IdNumber { get; set; } = "";
    public string Phone { get; set; } = "";
    public int Episode { get; set; }
    public string OutflowOrgId { get; set; } = "";
    public OutflowReason Reason { get; set; }
    public string DestinationRegion { get; set; } = "";
    public string DestinationPlace { get; set; } = "";
    public string? Employer { get; set; }
    public string? Address { get; set; }
    public string? ActivityCardNo { get; set; }
    public DateTimeOffset DepartedAt { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public DateTimeOffset? MovedAt { get; set; }
    public string? InflowOrgId { get; set; }
    public ReportChannel? ReportChannel { get; set; }
    public DateTimeOffset? FirstReportedAt { get; set; }
    public DateTimeOffset? ReportedAt { get; set; }
    public string? PlacedOrgId { get; set; }
    public string? BranchId { get; set; }
    public DateTimeOffset? PlacedAt { get; set; }
    public string? TransferToOrgId { get; set; }
    public DateTimeOffset? TransferRequestedAt { get; set; }
    public DateTimeOffset? LostAt { get; set; }
    public DateTimeOffset? SuspendedAt { get; set; }
    public EpisodeOutcome? Outcome { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public DateTimeOffset? LastContactAt { get; set; }
    public DateTimeOffset? LastActivityAt { get; set; }
    public DateTimeOffset? LastCareVisitAt { get; set; }
    public int ContactsOutflow { get; set; }
    public int ContactsInflow { get; set; }
    public int ActivitiesOutflow { get; set; }
    public int ActivitiesInflow { get; set; }
    public int CareVisitsOutflow { get; set; }
    public int CareVisitsInflow { get; set; }
    public string? RegisteredBy { get; set; }
    public string? RegisteredByOrg { get; set; }
    public Side RegisteredBySide { get; set; }
    public string? ReportReceivedBy { get; set; }
    public string? ReportReceivedByOrg { get; set; }
    public Side? ReportReceivedBySide { get; set; }
    public string? PlacedBy { get; set; }
    public string? PlacedByOrg { get; set; }
    public Side? PlacedBySide { get; set; }
    public int? LastAppraisalYear { get; set; }
    public AppraisalResult? LastAppraisalResult { get; set; }
    public long Position { get; set; }

    /// <summary>The bookkeeping of the <see cref="HeldMemberRows"/> holding this row: it is the member's held row; it waits for the next flush.</summary>
    public bool Held { get; set; }

    /// <inheritdoc cref="Held"/>
    public bool Unflushed { get; set; }

    /// <summary>
    /// What a projection holding this row in memory keeps beside it (coverage: its stored episode), so it need not look
    /// it up by member again for every write. Only a cache: a row read back from the table starts without it.
    /// </summary>
    public object? Beside { get; set; }

    public bool IsOpen => Outcome is null;

    public DateTimeOffset StartedAt => DepartedAt < RegisteredAt ? DepartedAt : RegisteredAt;

    public DateTimeOffset AwaitingReportSince => MovedAt ?? DepartedAt;

    public MemberStatus Status => this switch
    {
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

    /// <summary>Reachable and reported at the current destination (a lost member does not count as reported or placed).</summary>
    public bool CountsReported => IsOpen && LostAt is null && ReportedAt is not null;

    public bool CountsPlaced => CountsReported && PlacedAt is not null;

    public bool CountsLost => IsOpen && LostAt is not null;

    public bool CountsTransferring => IsOpen && LostAt is null && TransferToOrgId is not null;

    /// <summary>
    /// Folds one event of a member's stream into <paramref name="row"/> (null before the first). An outflow
    /// registration starts a new episode from a clean row: nothing of the previous episode carries over.
    /// </summary>
    public static MemberRow Evolve(MemberRow? row, DecodedEvent d)
    {
        if (d.Event is OutflowRegistered r)
        {
            var meta = d.Metadata;
            row = new MemberRow
            {
                MemberId = r.MemberId, Name = r.MemberName, IdNumber = r.IdNumber, Phone = r.ContactPhone, Episode = r.Episode,
                OutflowOrgId = r.OutflowOrgId, Reason = r.Reason, DestinationRegion = r.Destination.Value,
                DestinationPlace = r.DestinationPlace, Employer = r.Employer, ActivityCardNo = r.ActivityCardNo,
                DepartedAt = r.DepartedAt, RegisteredAt = r.RegisteredAt,
                RegisteredBy = meta.Actor, RegisteredByOrg = meta.Organization, RegisteredBySide = d.ActorSide,
            };
        }
        else if (row is null)
        {
            throw new InvalidOperationException($"{d.Raw.Type} at position {d.Position} precedes the outflow registration of {d.Raw.StreamId}.");
        }
        row.Apply(d);
        return row;
    }

    private void Apply(DecodedEvent d)
    {
        Position = d.Position;
        _unshared |= d.Event switch
        {
            ReportedAtInflow => Unshared.Report,
            PlacedInBranch => Unshared.Placement,
            MovedOn => Unshared.Destination,
            TransferRequested => Unshared.Transfer,
            _ => Unshared.None,
        };
        switch (d.Event)
        {
            case ReportedAtInflow x:
                (InflowOrgId, ReportChannel, ReportedAt) = (x.InflowOrgId, x.Channel, x.ReportedAt);
                FirstReportedAt ??= x.ReportedAt;
                (ReportReceivedBy, ReportReceivedByOrg, ReportReceivedBySide) = (d.Metadata.Actor, d.Metadata.Organization, d.ActorSide);
                ClearPlacement();
                break;
            case PlacedInBranch x:
                (PlacedOrgId, BranchId, PlacedAt) = (x.InflowOrgId, x.BranchId, x.PlacedAt);
                (PlacedBy, PlacedByOrg, PlacedBySide) = (d.Metadata.Actor, d.Metadata.Organization, d.ActorSide);
                break;
            case ContactLogged x:
                LastContactAt = Latest(LastContactAt, x.ContactedAt);
                if (x.Side == Side.Inflow) ContactsInflow++; else ContactsOutflow++;
                break;
            case ActivityAttended x:
                LastActivityAt = Latest(LastActivityAt, x.AttendedAt);
                if (d.ActorSide == Side.Inflow) ActivitiesInflow++; else ActivitiesOutflow++;
                break;
            case CareVisitRecorded x:
                LastCareVisitAt = Latest(LastCareVisitAt, x.VisitedAt);
                if (x.Side == Side.Inflow) CareVisitsInflow++; else CareVisitsOutflow++;
                break;
            case AppraisalRecorded x when LastAppraisalYear is null || x.Year >= LastAppraisalYear:
                (LastAppraisalYear, LastAppraisalResult) = (x.Year, x.Result);
                break;
            case DetailsChanged x:
                (Phone, Employer, Address) = (x.ContactPhone ?? Phone, x.Employer ?? Employer, x.Address ?? Address);
                break;
            case MovedOn x:
                (DestinationRegion, DestinationPlace, MovedAt) = (x.Destination.Value, x.DestinationPlace, x.MovedAt);
                (InflowOrgId, ReportChannel, ReportedAt) = (null, null, null);
                // Who received the report goes with it: kept, the bilateral view counted a report received at a
                // place the member has left (more reports received than members reported).
                (ReportReceivedBy, ReportReceivedByOrg, ReportReceivedBySide) = (null, null, null);
                ClearPlacement();
                break;
            case TransferRequested x:
                (TransferToOrgId, TransferRequestedAt) = (x.ReceivingOrgId, x.RequestedAt);
                break;
            case TransferAccepted x:
                (Outcome, ClosedAt) = (EpisodeOutcome.Transferred, x.AcceptedAt);
                break;
            case TransferRejected:
                (TransferToOrgId, TransferRequestedAt) = (null, null);
                break;
            case Returned x:
                (Outcome, ClosedAt) = (EpisodeOutcome.Returned, x.ReturnedAt);
                break;
            case LostContactMarked x:
                LostAt = x.LostAt;
                break;
            case FoundAgain:
                LostAt = null;
                break;
            case MembershipSuspended x:
                SuspendedAt = x.SuspendedAt;
                break;
            case MembershipRestored:
                (SuspendedAt, LostAt) = (null, null);
                break;
            case SuspensionConcluded x:
                (Outcome, ClosedAt) = (EpisodeOutcome.MembershipEnded, x.ConcludedAt);
                break;
        }
    }

    /// <summary>
    /// Makes the strings that many rows have in common (organisations, regions, actors) the pool's single copies, so a
    /// session holding a million rows in memory keeps one string per organisation instead of one per row. After the
    /// first time only the strings set since are looked at (most events are contacts and activities, which set none).
    /// </summary>
    public void ShareStrings(Dictionary<string, string> pool)
    {
        var unshared = _unshared;
        if (unshared == Unshared.None)
            return;
        _unshared = Unshared.None;
        if (unshared == Unshared.All)
        {
            OutflowOrgId = Shared(pool, OutflowOrgId)!;
            RegisteredBy = Shared(pool, RegisteredBy);
            RegisteredByOrg = Shared(pool, RegisteredByOrg);
        }
        if ((unshared & Unshared.Destination) != 0)
            DestinationRegion = Shared(pool, DestinationRegion)!;
        if ((unshared & Unshared.Report) != 0)
        {
            InflowOrgId = Shared(pool, InflowOrgId);
            ReportReceivedBy = Shared(pool, ReportReceivedBy);
            ReportReceivedByOrg = Shared(pool, ReportReceivedByOrg);
        }
        if ((unshared & Unshared.Placement) != 0)
        {
            PlacedOrgId = Shared(pool, PlacedOrgId);
            BranchId = Shared(pool, BranchId);
            PlacedBy = Shared(pool, PlacedBy);
            PlacedByOrg = Shared(pool, PlacedByOrg);
        }
        if ((unshared & Unshared.Transfer) != 0)
            TransferToOrgId = Shared(pool, TransferToOrgId);
    }

    /// <summary>Drops what only the roster shows (identity, contact details, who did what): the episodes table keeps none of it.</summary>
    public void KeepEpisodeOnly()
    {
        (Name, IdNumber, Phone, DestinationPlace) = ("", "", "", "");
        (Employer, Address, ActivityCardNo) = (null, null, null);
        (RegisteredBy, RegisteredByOrg, ReportReceivedBy, ReportReceivedByOrg, PlacedBy, PlacedByOrg) = (null, null, null, null, null, null);
    }

    private static string? Shared(Dictionary<string, string> pool, string? value) =>
        value is null ? null : CollectionsMarshal.GetValueRefOrAddDefault(pool, value, out _) ??= value;

    private void ClearPlacement() => (PlacedOrgId, BranchId, PlacedAt, PlacedBy, PlacedByOrg, PlacedBySide) = (null, null, null, null, null, null);

    private static DateTimeOffset Latest(DateTimeOffset? current, DateTimeOffset candidate) =>
        current is { } c && c > candidate ? c : candidate;
}
