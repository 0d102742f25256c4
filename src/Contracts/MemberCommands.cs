namespace CoManagement.Contracts;

// Member commands: one stream per member; every command names the member. The actor's side matters where noted.

/// <summary>
/// 外出登记, sent by the formal (outflow) branch. <paramref name="Reason"/>: Work | Business | Study | Retirement | Other.
/// <paramref name="DestinationRegion"/> is a 6-digit administrative region code.
/// </summary>
public sealed record RegisterOutflow(
    string? CommandId, Actor Actor, string MemberId, string MemberName, string IdNumber, string OutflowOrgId, string Reason,
    string DestinationRegion, string DestinationPlace, string? Employer, string ContactPhone, string? ActivityCardNo,
    DateTimeOffset DepartedAt, DateTimeOffset RegisteredAt) : ICommandMessage;

/// <summary>报到, sent by the inflow organisation, station or point. <paramref name="Channel"/>: InPerson | Online | App.</summary>
public sealed record ReportAtInflow(
    string? CommandId, Actor Actor, string MemberId, string InflowOrgId, string Channel, DateTimeOffset ReportedAt) : ICommandMessage;

/// <summary>纳管, sent by the inflow organisation that places the member in one of its branches.</summary>
public sealed record PlaceInBranch(
    string? CommandId, Actor Actor, string MemberId, string InflowOrgId, string BranchId, DateTimeOffset PlacedAt) : ICommandMessage;

/// <summary>Sent by either side; the contact is credited to the actor's side. <paramref name="Method"/>: Phone | Message | Visit.</summary>
public sealed record LogContact(
    string? CommandId, Actor Actor, string MemberId, string Method, string? Note, DateTimeOffset ContactedAt) : ICommandMessage;

/// <summary>
/// Sent by the organisation that held the activity. <paramref name="Kind"/>: BranchGeneralMeeting | BranchCommitteeMeeting |
/// PartyGroupMeeting | PartyLecture | ThemePartyDay | Study | VolunteerService; <paramref name="Mode"/>: OnSite | Online.
/// </summary>
public sealed record RecordActivity(
    string? CommandId, Actor Actor, string MemberId, string OrganizationId, string Kind, string Mode, DateTimeOffset AttendedAt) : ICommandMessage;

/// <summary>
/// Sent by either side; the visit is credited to the actor's side. <paramref name="Kind"/>: FestivalVisit | HardshipHelp |
/// JobHelp | LegalAid | DisputeMediation | RedParcel.
/// </summary>
public sealed record RecordCareVisit(
    string? CommandId, Actor Actor, string MemberId, string Kind, string? Note, DateTimeOffset VisitedAt) : ICommandMessage;

/// <summary>
/// 民主评议, sent by the appraising organisation. <paramref name="Result"/>: Excellent | Qualified | BasicallyQualified |
/// Unqualified.
/// </summary>
public sealed record RecordAppraisal(
    string? CommandId, Actor Actor, string MemberId, int? Year, string Result, string OrganizationId, DateTimeOffset AppraisedAt) : ICommandMessage;

/// <summary>Sent by either side; a null field is left as it is, at least one must be given.</summary>
public sealed record ChangeDetails(
    string? CommandId, Actor Actor, string MemberId, string? ContactPhone, string? Employer, string? Address, DateTimeOffset ChangedAt) : ICommandMessage;

/// <summary>再流动, sent by either side: a new destination in the same episode; the member must report again there.</summary>
public sealed record MoveOn(
    string? CommandId, Actor Actor, string MemberId, string DestinationRegion, string DestinationPlace, DateTimeOffset MovedAt) : ICommandMessage;

/// <summary>Sent by the formal branch or an organisation above it: move the formal relationship to an inflow-side branch.</summary>
public sealed record RequestTransfer(
    string? CommandId, Actor Actor, string MemberId, string ReceivingOrgId, DateTimeOffset RequestedAt) : ICommandMessage;

/// <summary>Sent by the receiving organisation (the actor's organisation).</summary>
public sealed record AcceptTransfer(string? CommandId, Actor Actor, string MemberId, DateTimeOffset AcceptedAt) : ICommandMessage;

/// <summary>Sent by the receiving organisation (the actor's organisation); the origin stays responsible.</summary>
public sealed record RejectTransfer(
    string? CommandId, Actor Actor, string MemberId, string Reason, DateTimeOffset RejectedAt) : ICommandMessage;

/// <summary>返回, sent by the formal branch or an organisation above it: the member is back; the episode closes.</summary>
public sealed record RecordReturn(
    string? CommandId, Actor Actor, string MemberId, bool? CardHandedIn, DateTimeOffset ReturnedAt) : ICommandMessage;

/// <summary>Sent by either side after a month without contact.</summary>
public sealed record MarkLostContact(string? CommandId, Actor Actor, string MemberId, DateTimeOffset LostAt) : ICommandMessage;

/// <summary>Sent by either side.</summary>
public sealed record MarkFound(string? CommandId, Actor Actor, string MemberId, DateTimeOffset FoundAt) : ICommandMessage;

/// <summary>停止党籍, sent by the formal branch or an organisation above it after a long loss of contact.</summary>
public sealed record SuspendMembership(string? CommandId, Actor Actor, string MemberId, DateTimeOffset SuspendedAt) : ICommandMessage;

/// <summary>Sent by the formal branch or an organisation above it within the restorable window.</summary>
public sealed record RestoreMembership(string? CommandId, Actor Actor, string MemberId, DateTimeOffset RestoredAt) : ICommandMessage;

/// <summary>Sent by the formal branch or an organisation above it once the restorable window has passed; the membership ends.</summary>
public sealed record ConcludeSuspension(string? CommandId, Actor Actor, string MemberId, DateTimeOffset ConcludedAt) : ICommandMessage;
