namespace CoManagement.Contracts;

// Integration events: published by the service after the member's event is committed (transactional outbox), at least
// once and in commit order, with the message id stable across re-publishes (receivers de-duplicate on it). The header
// "CoManagement-Side" names the side each is meant for. ID and phone numbers are not sent: outside the owning
// organisation they are only shown masked.

/// <summary>
/// 外出登记 was recorded: received by the destination (inflow) side, which now expects the member to report.
/// <paramref name="Episode"/> counts the member's mobility episodes (1, 2, …); <paramref name="DestinationRegion"/> is a region code.
/// </summary>
public sealed record OutflowRegistered(
    string MemberId, int Episode, string MemberName, string OutflowOrgId, string Reason, string DestinationRegion,
    string DestinationPlace, DateTimeOffset DepartedAt, DateTimeOffset RegisteredAt);

/// <summary>The member reported at an inflow place: received by the outflow side (the formal branch).</summary>
public sealed record MemberReportedAtInflow(string MemberId, int Episode, string InflowOrgId, string Channel, DateTimeOffset ReportedAt);

/// <summary>The inflow side placed the member in a branch (纳管): received by the outflow side.</summary>
public sealed record MemberPlacedInBranch(string MemberId, int Episode, string InflowOrgId, string BranchId, DateTimeOffset PlacedAt);

/// <summary>
/// 再流动: the member moved on from the current inflow place to a new city within the same episode: received by the
/// destination (inflow) side, which now expects the member to report there. <paramref name="DestinationRegion"/> is a region code.
/// </summary>
public sealed record MemberMovedOn(string MemberId, int Episode, string DestinationRegion, string DestinationPlace, DateTimeOffset MovedAt);

/// <summary>The receiving organisation accepted a transfer; it now holds the formal relationship: received by the outflow side.</summary>
public sealed record MemberTransferred(string MemberId, int Episode, string ReceivingOrgId, DateTimeOffset AcceptedAt);
