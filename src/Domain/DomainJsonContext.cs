using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using CoManagement.Domain.Agreements;
using CoManagement.Domain.Members;
using CoManagement.Domain.Organizations;

namespace CoManagement.Domain;

/// <summary>Source-generated JSON for every event and command: camelCase, enums as their names.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(OutflowRegistered))]
[JsonSerializable(typeof(ReportedAtInflow))]
[JsonSerializable(typeof(PlacedInBranch))]
[JsonSerializable(typeof(ContactLogged))]
[JsonSerializable(typeof(ActivityAttended))]
[JsonSerializable(typeof(CareVisitRecorded))]
[JsonSerializable(typeof(AppraisalRecorded))]
[JsonSerializable(typeof(DetailsChanged))]
[JsonSerializable(typeof(MovedOn))]
[JsonSerializable(typeof(TransferRequested))]
[JsonSerializable(typeof(TransferAccepted))]
[JsonSerializable(typeof(TransferRejected))]
[JsonSerializable(typeof(Returned))]
[JsonSerializable(typeof(LostContactMarked))]
[JsonSerializable(typeof(FoundAgain))]
[JsonSerializable(typeof(MembershipSuspended))]
[JsonSerializable(typeof(MembershipRestored))]
[JsonSerializable(typeof(SuspensionConcluded))]
[JsonSerializable(typeof(OrganizationCreated))]
[JsonSerializable(typeof(OrganizationRenamed))]
[JsonSerializable(typeof(OrganizationReparented))]
[JsonSerializable(typeof(OrganizationClosed))]
[JsonSerializable(typeof(TargetSet))]
[JsonSerializable(typeof(AgreementSigned))]
[JsonSerializable(typeof(ConsultationHeld))]
[JsonSerializable(typeof(ActionItemCompleted))]
[JsonSerializable(typeof(AgreementEnded))]
[JsonSerializable(typeof(RegisterOutflow))]
[JsonSerializable(typeof(ReportAtInflow))]
[JsonSerializable(typeof(PlaceInBranch))]
[JsonSerializable(typeof(LogContact))]
[JsonSerializable(typeof(RecordActivity))]
[JsonSerializable(typeof(RecordCareVisit))]
[JsonSerializable(typeof(RecordAppraisal))]
[JsonSerializable(typeof(ChangeDetails))]
[JsonSerializable(typeof(MoveOn))]
[JsonSerializable(typeof(RequestTransfer))]
[JsonSerializable(typeof(AcceptTransfer))]
[JsonSerializable(typeof(RejectTransfer))]
[JsonSerializable(typeof(RecordReturn))]
[JsonSerializable(typeof(MarkLostContact))]
[JsonSerializable(typeof(MarkFound))]
[JsonSerializable(typeof(SuspendMembership))]
[JsonSerializable(typeof(RestoreMembership))]
[JsonSerializable(typeof(ConcludeSuspension))]
[JsonSerializable(typeof(CreateOrganization))]
[JsonSerializable(typeof(RenameOrganization))]
[JsonSerializable(typeof(ReparentOrganization))]
[JsonSerializable(typeof(CloseOrganization))]
[JsonSerializable(typeof(SetTarget))]
[JsonSerializable(typeof(SignAgreement))]
[JsonSerializable(typeof(HoldConsultation))]
[JsonSerializable(typeof(CompleteActionItem))]
[JsonSerializable(typeof(EndAgreement))]
public sealed partial class DomainJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The same contract, but Chinese text is written as itself instead of <c>\uXXXX</c> escapes, so stored JSON stays
    /// readable to auditors and SQL users. Only for storage, never for HTML.
    /// </summary>
    public static DomainJsonContext Readable => readable ??=
        new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, TypeInfoResolver = null });

    private static DomainJsonContext? readable;
}
