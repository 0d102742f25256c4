using CoManagement.Domain.Common;

namespace CoManagement.Domain.Members;

public interface IMemberCommand : ICommand
{
    string MemberId { get; }
}

/// <summary>
/// 外出登记: opens a mobility episode at the formal branch. The member may register before leaving, so
/// <paramref name="DepartedAt"/> and <paramref name="RegisteredAt"/> are both kept; neither may lie in the future.
/// </summary>
public sealed record RegisterOutflow(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, string MemberName, string IdNumber, string OutflowOrgId, OutflowReason Reason,
    string DestinationRegion, string DestinationPlace, string? Employer, string ContactPhone, string? ActivityCardNo,
    DateTimeOffset DepartedAt, DateTimeOffset RegisteredAt) : IMemberCommand;

/// <summary>报到 at an inflow organisation, station or registration point.</summary>
public sealed record ReportAtInflow(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, string InflowOrgId, ReportChannel Channel, DateTimeOffset ReportedAt) : IMemberCommand;

/// <summary>纳管: the inflow organisation places the member in a branch (编入).</summary>
public sealed record PlaceInBranch(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, string InflowOrgId, string BranchId, DateTimeOffset PlacedAt) : IMemberCommand;

/// <summary>The side that made contact is the actor's side.</summary>
public sealed record LogContact(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, ContactMethod Method, string? Note, DateTimeOffset ContactedAt) : IMemberCommand;

public sealed record RecordActivity(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, string OrganizationId, ActivityKind Kind, AttendanceMode Mode, DateTimeOffset AttendedAt) : IMemberCommand;

/// <summary>The side that visited is the actor's side.</summary>
public sealed record RecordCareVisit(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, CareVisitKind Kind, string? Note, DateTimeOffset VisitedAt) : IMemberCommand;

public sealed record RecordAppraisal(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, int Year, AppraisalResult Result, string OrganizationId, DateTimeOffset AppraisedAt) : IMemberCommand;

/// <summary>A null field is left as it is; at least one must be given.</summary>
public sealed record ChangeDetails(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, string? ContactPhone, string? Employer, string? Address, DateTimeOffset ChangedAt) : IMemberCommand;

/// <summary>再流动: a new destination within the same episode; the member must report again there.</summary>
public sealed record MoveOn(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, string DestinationRegion, string DestinationPlace, DateTimeOffset MovedAt) : IMemberCommand;

public sealed record RequestTransfer(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, string ReceivingOrgId, DateTimeOffset RequestedAt) : IMemberCommand;

/// <summary>Only the receiving organisation (the actor's organisation) may accept.</summary>
public sealed record AcceptTransfer(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, DateTimeOffset AcceptedAt) : IMemberCommand;

/// <summary>Only the receiving organisation (the actor's organisation) may reject; the origin stays responsible.</summary>
public sealed record RejectTransfer(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, string Reason, DateTimeOffset RejectedAt) : IMemberCommand;

/// <summary>返回: the member is back at the formal branch; the episode closes.</summary>
public sealed record RecordReturn(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, bool CardHandedIn, DateTimeOffset ReturnedAt) : IMemberCommand;

public sealed record MarkLostContact(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, DateTimeOffset LostAt) : IMemberCommand;

public sealed record MarkFound(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, DateTimeOffset FoundAt) : IMemberCommand;

/// <summary>停止党籍, decided by the formal (outflow) side after a long loss of contact.</summary>
public sealed record SuspendMembership(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, DateTimeOffset SuspendedAt) : IMemberCommand;

public sealed record RestoreMembership(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, DateTimeOffset RestoredAt) : IMemberCommand;

/// <summary>The restorable window has passed without restoration; the episode and the membership end.</summary>
public sealed record ConcludeSuspension(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string MemberId, DateTimeOffset ConcludedAt) : IMemberCommand;
