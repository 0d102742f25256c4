using System.Collections.Frozen;
using System.Text.Json.Serialization.Metadata;
using CoManagement.Domain.Agreements;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Domain.Organizations;

namespace CoManagement.Domain;

/// <summary>An event type as the store knows it: a stable name and schema version, independent of the CLR name.</summary>
public sealed record EventType(Type ClrType, string Name, int Version)
{
    public JsonTypeInfo JsonTypeInfo => DomainJsonContext.Default.GetTypeInfo(ClrType)
        ?? throw new InvalidOperationException($"{ClrType.Name} is missing from {nameof(DomainJsonContext)}");
}

/// <summary>
/// The one list of stored event types. Names are stored with the data, so a name is never changed or reused: a class
/// may be renamed freely, and a new schema gets a new version (with an upcaster) under the same name.
/// </summary>
public static class DomainEvents
{
    public static IReadOnlyList<EventType> All { get; } =
    [
        new(typeof(OutflowRegistered), "member.outflow-registered", 1),
        new(typeof(ReportedAtInflow), "member.reported-at-inflow", 1),
        new(typeof(PlacedInBranch), "member.placed-in-branch", 1),
        new(typeof(ContactLogged), "member.contact-logged", 1),
        new(typeof(ActivityAttended), "member.activity-attended", 1),
        new(typeof(CareVisitRecorded), "member.care-visit-recorded", 1),
        new(typeof(AppraisalRecorded), "member.appraisal-recorded", 1),
        new(typeof(DetailsChanged), "member.details-changed", 1),
        new(typeof(MovedOn), "member.moved-on", 1),
        new(typeof(TransferRequested), "member.transfer-requested", 1),
        new(typeof(TransferAccepted), "member.transfer-accepted", 1),
        new(typeof(TransferRejected), "member.transfer-rejected", 1),
        new(typeof(Returned), "member.returned", 1),
        new(typeof(LostContactMarked), "member.lost-contact-marked", 1),
        new(typeof(FoundAgain), "member.found-again", 1),
        new(typeof(MembershipSuspended), "member.membership-suspended", 1),
        new(typeof(MembershipRestored), "member.membership-restored", 1),
        new(typeof(SuspensionConcluded), "member.suspension-concluded", 1),

        new(typeof(OrganizationCreated), "org.created", 1),
        new(typeof(OrganizationRenamed), "org.renamed", 1),
        new(typeof(OrganizationReparented), "org.reparented", 1),
        new(typeof(OrganizationClosed), "org.closed", 1),
        new(typeof(TargetSet), "org.target-set", 1),

        new(typeof(AgreementSigned), "agreement.signed", 1),
        new(typeof(ConsultationHeld), "agreement.consultation-held", 1),
        new(typeof(ActionItemCompleted), "agreement.action-item-completed", 1),
        new(typeof(AgreementEnded), "agreement.ended", 1),
    ];

    private static readonly FrozenDictionary<Type, EventType> ByType = All.ToFrozenDictionary(e => e.ClrType);
    private static readonly FrozenDictionary<string, EventType> ByName = All.ToFrozenDictionary(e => e.Name);

    public static EventType Of(Type clrType) =>
        ByType.TryGetValue(clrType, out var type) ? type : throw new ArgumentException($"{clrType.Name} is not a registered event", nameof(clrType));

    public static EventType Of(IDomainEvent @event) => Of(@event.GetType());

    /// <summary>Unknown names are an error, never a silent skip: a reader must not fold a stream with a hole in it.</summary>
    public static EventType Named(string name) =>
        ByName.TryGetValue(name, out var type) ? type : throw new ArgumentException($"'{name}' is not a registered event", nameof(name));

    public static bool TryNamed(string name, out EventType type) => ByName.TryGetValue(name, out type!);
}
