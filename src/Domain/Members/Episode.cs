using System.Collections.Immutable;
using CoManagement.Domain.Common;

namespace CoManagement.Domain.Members;

/// <summary>One mobility episode, from outflow registration to its close. Times are business times.</summary>
public sealed record Episode
{
    public required int Number { get; init; }

    public required string OutflowOrgId { get; init; }

    public required OutflowReason Reason { get; init; }

    public required RegionCode Destination { get; init; }

    public required string DestinationPlace { get; init; }

    public string? Employer { get; init; }

    public required string ContactPhone { get; init; }

    public string? Address { get; init; }

    public string? ActivityCardNo { get; init; }

    public required DateTimeOffset DepartedAt { get; init; }

    public required DateTimeOffset RegisteredAt { get; init; }

    /// <summary>The last move to a new destination, which reset the report.</summary>
    public DateTimeOffset? MovedAt { get; init; }

    /// <summary>Where the member reported at the current destination.</summary>
    public string? InflowOrgId { get; init; }

    public ReportChannel? ReportChannel { get; init; }

    public DateTimeOffset? ReportedAt { get; init; }

    /// <summary>The inflow organisation that placed the member.</summary>
    public string? PlacedByOrgId { get; init; }

    public string? BranchId { get; init; }

    public DateTimeOffset? PlacedAt { get; init; }

    public DateTimeOffset? LastContactAt { get; init; }

    public DateTimeOffset? LastActivityAt { get; init; }

    public DateTimeOffset? LastCareVisitAt { get; init; }

    public ImmutableDictionary<int, AppraisalResult> Appraisals { get; init; } = ImmutableDictionary<int, AppraisalResult>.Empty;

    public string? TransferToOrgId { get; init; }

    public DateTimeOffset? TransferRequestedAt { get; init; }

    public DateTimeOffset? LostAt { get; init; }

    /// <summary>When the member was last found again after being lost.</summary>
    public DateTimeOffset? FoundAt { get; init; }

    public DateTimeOffset? SuspendedAt { get; init; }

    public bool CardHandedIn { get; init; }

    public EpisodeOutcome? Outcome { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>
    /// The business time of the episode's latest change of state (start, report, placement, move, transfer request or
    /// answer, lost, found, suspension, restoration): a later change may not be dated before it.
    /// </summary>
    public DateTimeOffset ChangedAt { get; init; }

    /// <summary>The latest business time of any of the episode's events: the episode may not close before it.</summary>
    public DateTimeOffset LastEventAt { get; init; }

    /// <summary>When the member was last seen or heard from: a contact, an activity, a care visit, a report, a placement, being found.</summary>
    public DateTimeOffset LastSeenAt => new[] { LastContactAt, LastActivityAt, LastCareVisitAt, ReportedAt, PlacedAt, FoundAt }
        .Aggregate(StartedAt, (latest, at) => at > latest ? at.Value : latest);

    public bool IsOpen => Outcome is null;

    /// <summary>A member may register before leaving or long after; the episode covers both.</summary>
    public DateTimeOffset StartedAt => DepartedAt < RegisteredAt ? DepartedAt : RegisteredAt;

    /// <summary>Since when a report at the current destination is expected.</summary>
    public DateTimeOffset AwaitingReportSince => MovedAt ?? DepartedAt;
}
