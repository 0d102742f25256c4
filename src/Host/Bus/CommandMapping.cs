using System.Runtime.CompilerServices;
using CoManagement.Domain.Agreements;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Domain.Organizations;
using C = CoManagement.Contracts;

namespace CoManagement.Host.Bus;

/// <summary>
/// A message the service cannot turn into a command (a missing field, an unknown name, a command id that is no UUID).
/// It is never retried: a request is rejected with <c>command.unreadable</c> and this message (<see cref="CommandConsumer{TMessage}"/>);
/// a message without a response address is moved by MassTransit to the queue's <c>_error</c> queue with this message as
/// the reason (header <c>MT-Fault-Message</c>).
/// </summary>
public sealed class InvalidCommandMessageException(string message) : Exception(message);

/// <summary>
/// Contract → domain command, one line per command. Only what cannot be expressed as a command fails here (absent
/// fields, unknown enum names); everything the domain can judge (lengths, region codes, times) is left to the deciders,
/// so those come back as ordinary rejections with their reason codes.
/// </summary>
internal static class CommandMapping
{
    /// <summary>Every command contract, for registering one consumer each.</summary>
    public static IReadOnlyList<Type> MessageTypes { get; } =
        [.. typeof(C.ICommandMessage).Assembly.GetTypes().Where(t => t.IsClass && typeof(C.ICommandMessage).IsAssignableFrom(t))];

    /// <summary>The sender's command id, else the message id: a redelivery carries the same one either way.</summary>
    public static Guid CommandIdOf(C.ICommandMessage message, Guid? messageId) => message.CommandId switch
    {
        null => messageId ?? throw new InvalidCommandMessageException("commandId is missing and the message has no message id"),
        var text => Guid.TryParse(text, out var id) ? id : throw new InvalidCommandMessageException($"commandId '{text}' is not a UUID"),
    };

    public static ICommand ToCommand(C.ICommandMessage message, Guid commandId, DateTimeOffset now)
    {
        var actor = message.Actor ?? throw Missing("actor");
        var a = new Actor(Req(actor.UserId), Req(actor.OrganizationId), OneOf<Side>(actor.Side));
        return message switch
        {
            C.RegisterOutflow m => new RegisterOutflow(commandId, a, now, Req(m.MemberId), Req(m.MemberName), Req(m.IdNumber),
                Req(m.OutflowOrgId), OneOf<OutflowReason>(m.Reason), Req(m.DestinationRegion), Req(m.DestinationPlace), m.Employer,
                Req(m.ContactPhone), m.ActivityCardNo, At(m.DepartedAt), At(m.RegisteredAt)),
            C.ReportAtInflow m => new ReportAtInflow(commandId, a, now, Req(m.MemberId), Req(m.InflowOrgId), OneOf<ReportChannel>(m.Channel),
                At(m.ReportedAt)),
            C.PlaceInBranch m => new PlaceInBranch(commandId, a, now, Req(m.MemberId), Req(m.InflowOrgId), Req(m.BranchId), At(m.PlacedAt)),
            C.LogContact m => new LogContact(commandId, a, now, Req(m.MemberId), OneOf<ContactMethod>(m.Method), m.Note, At(m.ContactedAt)),
            C.RecordActivity m => new RecordActivity(commandId, a, now, Req(m.MemberId), Req(m.OrganizationId), OneOf<ActivityKind>(m.Kind),
                OneOf<AttendanceMode>(m.Mode), At(m.AttendedAt)),
            C.RecordCareVisit m => new RecordCareVisit(commandId, a, now, Req(m.MemberId), OneOf<CareVisitKind>(m.Kind), m.Note, At(m.VisitedAt)),
            C.RecordAppraisal m => new RecordAppraisal(commandId, a, now, Req(m.MemberId), Val(m.Year), OneOf<AppraisalResult>(m.Result),
                Req(m.OrganizationId), At(m.AppraisedAt)),
            C.ChangeDetails m => new ChangeDetails(commandId, a, now, Req(m.MemberId), m.ContactPhone, m.Employer, m.Address, At(m.ChangedAt)),
            C.MoveOn m => new MoveOn(commandId, a, now, Req(m.MemberId), Req(m.DestinationRegion), Req(m.DestinationPlace), At(m.MovedAt)),
            C.RequestTransfer m => new RequestTransfer(commandId, a, now, Req(m.MemberId), Req(m.ReceivingOrgId), At(m.RequestedAt)),
            C.AcceptTransfer m => new AcceptTransfer(commandId, a, now, Req(m.MemberId), At(m.AcceptedAt)),
            C.RejectTransfer m => new RejectTransfer(commandId, a, now, Req(m.MemberId), Req(m.Reason), At(m.RejectedAt)),
            C.RecordReturn m => new RecordReturn(commandId, a, now, Req(m.MemberId), Val(m.CardHandedIn), At(m.ReturnedAt)),
            C.MarkLostContact m => new MarkLostContact(commandId, a, now, Req(m.MemberId), At(m.LostAt)),
            C.MarkFound m => new MarkFound(commandId, a, now, Req(m.MemberId), At(m.FoundAt)),
            C.SuspendMembership m => new SuspendMembership(commandId, a, now, Req(m.MemberId), At(m.SuspendedAt)),
            C.RestoreMembership m => new RestoreMembership(commandId, a, now, Req(m.MemberId), At(m.RestoredAt)),
            C.ConcludeSuspension m => new ConcludeSuspension(commandId, a, now, Req(m.MemberId), At(m.ConcludedAt)),

            C.CreateOrganization m => new CreateOrganization(commandId, a, now, Req(m.OrganizationId), Req(m.Name), m.ParentId,
                OneOf<OrganizationKind>(m.Kind), OneOf<Side>(m.Side), Req(m.RegionCode), At(m.EstablishedAt)),
            C.RenameOrganization m => new RenameOrganization(commandId, a, now, Req(m.OrganizationId), Req(m.Name), At(m.RenamedAt)),
            C.ReparentOrganization m => new ReparentOrganization(commandId, a, now, Req(m.OrganizationId), Req(m.ParentId), At(m.ReparentedAt)),
            C.CloseOrganization m => new CloseOrganization(commandId, a, now, Req(m.OrganizationId), At(m.ClosedAt)),
            C.SetTarget m => new SetTarget(commandId, a, now, Req(m.OrganizationId), OneOf<TargetMetric>(m.Metric), Val(m.Year), Val(m.Value), At(m.SetAt)),

            C.SignAgreement m => new SignAgreement(commandId, a, now, Req(m.AgreementId), Req(m.Title), Req(m.OutflowDepartmentId),
                Req(m.InflowDepartmentId), [.. (m.ExtraPartyIds ?? []).Select(id => Req(id, "extraPartyIds[]"))],
                [.. Req(m.Commitments).Select(c => OneOf<Commitment>(c, "commitments[]"))], Val(m.InformationSharingDays), At(m.SignedAt)),
            C.HoldConsultation m => new HoldConsultation(commandId, a, now, Req(m.AgreementId), Req(m.ConsultationId), Req(m.Topic),
                [.. Req(m.ActionItems).Select(i => i is null ? throw Missing("actionItems[]")
                    : new ActionItem(Req(i.ItemId, "actionItems[].itemId"), Req(i.Text, "actionItems[].text"),
                        OneOf<Side>(i.Owner, "actionItems[].owner"), At(i.DueAt, "actionItems[].dueAt")))],
                At(m.HeldAt)),
            C.CompleteActionItem m => new CompleteActionItem(commandId, a, now, Req(m.AgreementId), Req(m.ItemId), At(m.CompletedAt)),
            C.EndAgreement m => new EndAgreement(commandId, a, now, Req(m.AgreementId), m.Reason, At(m.EndedAt)),
            _ => throw new InvalidCommandMessageException($"{message.GetType().Name} is not a command this service knows"),
        };
    }

    private static T Req<T>(T? value, [CallerArgumentExpression(nameof(value))] string field = "") where T : class =>
        value ?? throw Missing(field);

    private static T Val<T>(T? value, [CallerArgumentExpression(nameof(value))] string field = "") where T : struct =>
        value ?? throw Missing(field);

    private static DateTimeOffset At(DateTimeOffset value, [CallerArgumentExpression(nameof(value))] string field = "") =>
        value != default ? value : throw Missing(field);

    /// <summary>Names only: <c>Enum.TryParse</c> would also take numbers and comma lists, which no sender means.</summary>
    private static TEnum OneOf<TEnum>(string? value, [CallerArgumentExpression(nameof(value))] string field = "") where TEnum : struct, Enum
    {
        var name = Req(value, field);
        return Enum.GetNames<TEnum>().FirstOrDefault(n => n.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } match
            ? Enum.Parse<TEnum>(match)
            : throw new InvalidCommandMessageException($"{FieldName(field)} '{name}' is not one of {string.Join(", ", Enum.GetNames<TEnum>())}");
    }

    private static InvalidCommandMessageException Missing(string field) => new($"{FieldName(field)} is missing");

    /// <summary>"m.MemberId" → "memberId", "actor.UserId" → "actor.userId": the field as it is spelled in the JSON.</summary>
    private static string FieldName(string expression) =>
        string.Join('.', expression.Split('.').SkipWhile(part => part == "m")
            .Select(part => part.Length > 0 ? char.ToLowerInvariant(part[0]) + part[1..] : part));
}
