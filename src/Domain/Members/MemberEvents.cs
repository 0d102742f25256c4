using CoManagement.Domain.Common;

namespace CoManagement.Domain.Members;

/// <summary>
/// Every member event names the episode (1, 2, …) it belongs to, so a projection can file it without replaying the
/// stream. Who did it (user, organisation, side) travels in the store's metadata; a side is repeated in the event only
/// where it is a business fact (contacts, care visits).
/// </summary>
public interface IMemberEvent : IDomainEvent
{
    string MemberId { get; }

    int Episode { get; }

    string IDomainEvent.StreamId => MemberId;
}

public sealed record OutflowRegistered(
    string MemberId, int Episode, string MemberName, string IdNumber, string OutflowOrgId, OutflowReason Reason,
    RegionCode Destination, string DestinationPlace, string? Employer, string ContactPhone, string? ActivityCardNo,
    DateTimeOffset DepartedAt, DateTimeOffset RegisteredAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => RegisteredAt;
}

public sealed record ReportedAtInflow(
    string MemberId, int Episode, string InflowOrgId, ReportChannel Channel, DateTimeOffset ReportedAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => ReportedAt;
}

public sealed record PlacedInBranch(
    string MemberId, int Episode, string InflowOrgId, string BranchId, DateTimeOffset PlacedAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => PlacedAt;
}

public sealed record ContactLogged(
    string MemberId, int Episode, Side Side, ContactMethod Method, string? Note, DateTimeOffset ContactedAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => ContactedAt;
}

public sealed record ActivityAttended(
    string MemberId, int Episode, string OrganizationId, ActivityKind Kind, AttendanceMode Mode, DateTimeOffset AttendedAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => AttendedAt;
}

public sealed record CareVisitRecorded(
    string MemberId, int Episode, Side Side, CareVisitKind Kind, string? Note, DateTimeOffset VisitedAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => VisitedAt;
}

public sealed record AppraisalRecorded(
    string MemberId, int Episode, int Year, AppraisalResult Result, string OrganizationId, DateTimeOffset AppraisedAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => AppraisedAt;
}

/// <summary>Only the changed fields are set; null means unchanged.</summary>
public sealed record DetailsChanged(
    string MemberId, int Episode, string? ContactPhone, string? Employer, string? Address, DateTimeOffset ChangedAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => ChangedAt;
}

/// <summary>The report and placement at the previous place no longer count: the member must report again.</summary>
public sealed record MovedOn(
    string MemberId, int Episode, RegionCode Destination, string DestinationPlace, DateTimeOffset MovedAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => MovedAt;
}

public sealed record TransferRequested(
    string MemberId, int Episode, string ReceivingOrgId, DateTimeOffset RequestedAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => RequestedAt;
}

/// <summary>The formal relationship now sits with the receiving organisation; the episode is closed.</summary>
public sealed record TransferAccepted(
    string MemberId, int Episode, string ReceivingOrgId, DateTimeOffset AcceptedAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => AcceptedAt;
}

public sealed record TransferRejected(
    string MemberId, int Episode, string ReceivingOrgId, string Reason, DateTimeOffset RejectedAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => RejectedAt;
}

public sealed record Returned(string MemberId, int Episode, bool CardHandedIn, DateTimeOffset ReturnedAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => ReturnedAt;
}

public sealed record LostContactMarked(string MemberId, int Episode, DateTimeOffset LostAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => LostAt;
}

public sealed record FoundAgain(string MemberId, int Episode, DateTimeOffset FoundAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => FoundAt;
}

public sealed record MembershipSuspended(string MemberId, int Episode, DateTimeOffset SuspendedAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => SuspendedAt;
}

/// <summary>Restoration also ends the loss of contact.</summary>
public sealed record MembershipRestored(string MemberId, int Episode, DateTimeOffset RestoredAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => RestoredAt;
}

/// <summary>The episode closes and the membership ends; the stream is terminal.</summary>
public sealed record SuspensionConcluded(string MemberId, int Episode, DateTimeOffset ConcludedAt) : IMemberEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => ConcludedAt;
}
