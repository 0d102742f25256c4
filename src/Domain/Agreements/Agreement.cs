using CoManagement.Domain.Common;
using CoManagement.Domain.Organizations;

namespace CoManagement.Domain.Agreements;

/// <summary>The decider for one agreement's stream. The parties are organisations: their facts come in an <see cref="OrgDirectory"/>.</summary>
public static class Agreement
{
    public static AgreementState Initial => AgreementState.Initial;

    public static bool IsTerminal(AgreementState state) => state.Status == AgreementStatus.Ended;

    public static AgreementState Fold(IEnumerable<IAgreementEvent> events) => events.Aggregate(Initial, Evolve);

    /// <summary>
    /// The organisations whose facts the handler must put in the directory for <paramref name="command"/> on an
    /// agreement in <paramref name="state"/>: the parties (named by a signing, else the agreement's) and the actor's.
    /// </summary>
    public static IReadOnlyList<string> OrganizationsNamedIn(IAgreementCommand command, AgreementState state) =>
        OrgDirectory.Ids([.. PartiesOf(command, state), command.Actor?.OrganizationId]);

    private static IEnumerable<string?> PartiesOf(IAgreementCommand command, AgreementState state) => command is SignAgreement c
        ? [c.OutflowDepartmentId, c.InflowDepartmentId, .. c.ExtraPartyIds ?? []]
        : [state.OutflowDepartmentId, state.InflowDepartmentId, .. state.ExtraPartyIds];

    public static Decision Decide(IAgreementCommand command, AgreementState state, OrgDirectory orgs, DomainSettings settings)
    {
        if (Validate(command, settings) is { } invalid)
            return invalid;
        if (state.Status != AgreementStatus.None && state.AgreementId != command.AgreementId)
            return No(ReasonCodes.WrongStream, $"command for '{command.AgreementId}' sent to '{state.AgreementId}'");

        // An agreement never signed has no parties yet: the switch answers that it was never signed.
        if ((command is SignAgreement || state.Status != AgreementStatus.None) && Acting(command, state, orgs) is { } notActing)
            return notActing;

        return (command, state.Status) switch
        {
            (SignAgreement c, AgreementStatus.None) => Sign(c, orgs),
            (SignAgreement c, _) => No(ReasonCodes.AgreementAlreadySigned, $"agreement '{c.AgreementId}' is already signed"),
            (_, AgreementStatus.None) => No(ReasonCodes.AgreementNotFound, $"agreement '{command.AgreementId}' was never signed"),
            (EndAgreement, AgreementStatus.Ended) => Decision.Nothing,
            (_, AgreementStatus.Ended) => No(ReasonCodes.AgreementEnded, $"agreement '{command.AgreementId}' has ended"),
            (HoldConsultation c, _) => Consult(c, state),
            (CompleteActionItem c, _) => Complete(c, state),
            (EndAgreement c, _) => c.EndedAt < state.SignedAt
                ? No(ReasonCodes.AgreementBeforeSigning, $"{c.EndedAt:O} is before the signing at {state.SignedAt:O}")
                : Decision.Accept(new AgreementEnded(c.AgreementId, c.Reason, c.EndedAt)),
            _ => No(ReasonCodes.UnknownCommand, $"{command.GetType().Name} is not an agreement command"),
        };
    }

    public static AgreementState Evolve(AgreementState state, IAgreementEvent @event) => @event switch
    {
        AgreementSigned e => state with
        {
            Status = AgreementStatus.Active,
            AgreementId = e.AgreementId,
            Title = e.Title,
            OutflowDepartmentId = e.OutflowDepartmentId,
            InflowDepartmentId = e.InflowDepartmentId,
            ExtraPartyIds = e.ExtraPartyIds,
            Commitments = e.Commitments,
            InformationSharingDays = e.InformationSharingDays,
            SignedAt = e.SignedAt,
        },
        ConsultationHeld e => state with
        {
            Consultations = state.Consultations.SetItem(e.ConsultationId, e.HeldAt),
            ActionItems = state.ActionItems.SetItems(e.ActionItems.Select(i =>
                KeyValuePair.Create(i.ItemId, new ActionItemState(e.ConsultationId, i, e.HeldAt)))),
        },
        ActionItemCompleted e => state with
        {
            ActionItems = state.ActionItems.SetItem(e.ItemId, state.ActionItems[e.ItemId] with { CompletedAt = e.CompletedAt }),
        },
        AgreementEnded e => state with { Status = AgreementStatus.Ended, EndedAt = e.EndedAt },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "not an agreement event"),
    };

    private static Decision Sign(SignAgreement c, OrgDirectory orgs)
    {
        if (c.OutflowDepartmentId == c.InflowDepartmentId)
            return No(ReasonCodes.AgreementSameParty, "an agreement needs two different departments");
        var parties = c.ExtraPartyIds.Prepend(c.InflowDepartmentId).Prepend(c.OutflowDepartmentId).ToList();
        if (parties.Distinct().Count() != parties.Count)
            return No(ReasonCodes.AgreementDuplicateParty, "a party is named twice");
        if (c.Commitments.Distinct().Count() != c.Commitments.Count)
            return No(ReasonCodes.InvalidValue, "a commitment is named twice");
        var department = new[] { OrganizationKind.Department };
        return orgs.Require(c.OutflowDepartmentId, "outflow department", Side.Outflow, department)
            ?? orgs.Require(c.InflowDepartmentId, "inflow department", Side.Inflow, department)
            ?? c.ExtraPartyIds.Select(id => orgs.Require(id, "party")).FirstOrDefault(r => r is not null)
            ?? Decision.Accept(new AgreementSigned(
                c.AgreementId, c.Title, c.OutflowDepartmentId, c.InflowDepartmentId, c.ExtraPartyIds, c.Commitments,
                c.InformationSharingDays, c.SignedAt));
    }

    /// <summary>A party, or an organisation above one, signs, consults, completes action items and ends the agreement.</summary>
    private static Rejection? Acting(IAgreementCommand command, AgreementState state, OrgDirectory orgs) =>
        orgs.Acting(command.Actor)
        ?? (orgs.IsAtOrAbove(command.Actor.OrganizationId, PartiesOf(command, state)) ? null
            : No(ReasonCodes.ActorNotResponsible, $"only a party to '{command.AgreementId}' or an organisation above one may act on it"));

    private static Decision Consult(HoldConsultation c, AgreementState state)
    {
        if (c.HeldAt < state.SignedAt)
            return No(ReasonCodes.AgreementBeforeSigning, $"{c.HeldAt:O} is before the signing at {state.SignedAt:O}");
        if (state.Consultations.ContainsKey(c.ConsultationId))
            return No(ReasonCodes.AgreementDuplicateConsultation, $"consultation '{c.ConsultationId}' is already recorded");
        var ids = c.ActionItems.Select(i => i.ItemId).ToList();
        if (ids.Distinct().Count() != ids.Count || ids.FirstOrDefault(state.ActionItems.ContainsKey) is not null)
            return No(ReasonCodes.AgreementDuplicateActionItem, "an action item id is used twice");
        if (c.ActionItems.FirstOrDefault(i => i.DueAt < c.HeldAt) is { } early)
            return No(ReasonCodes.AgreementDueBeforeConsultation, $"action item '{early.ItemId}' is due before the consultation");
        return Decision.Accept(new ConsultationHeld(c.AgreementId, c.ConsultationId, c.Topic, c.ActionItems, c.HeldAt));
    }

    private static Decision Complete(CompleteActionItem c, AgreementState state)
    {
        if (!state.ActionItems.TryGetValue(c.ItemId, out var item))
            return No(ReasonCodes.AgreementUnknownActionItem, $"no action item '{c.ItemId}'");
        if (item.CompletedAt is not null)
            return Decision.Nothing;
        if (c.CompletedAt < item.AgreedAt)
            return No(ReasonCodes.AgreementCompletedBeforeConsultation, $"{c.CompletedAt:O} is before the consultation at {item.AgreedAt:O}");
        return Decision.Accept(new ActionItemCompleted(c.AgreementId, c.ItemId, c.CompletedAt));
    }

    private static Rejection? Validate(IAgreementCommand command, DomainSettings settings)
    {
        var v = Validation.Of(command, settings).Id(command.AgreementId, "agreementId");
        return (command switch
        {
            SignAgreement c => v.Text(c.Title, "title")
                .Id(c.OutflowDepartmentId, "outflowDepartmentId")
                .Id(c.InflowDepartmentId, "inflowDepartmentId")
                .That(c.ExtraPartyIds is not null, ReasonCodes.MissingField, "extraPartyIds is required (may be empty)")
                .Each(c.ExtraPartyIds, (acc, id) => acc.Id(id, "extraPartyIds[]"))
                .That(c.Commitments is { Count: > 0 }, ReasonCodes.MissingField, "at least one commitment is required")
                .Each(c.Commitments, (acc, x) => acc.Defined(x, "commitments[]"))
                .That(c.InformationSharingDays is >= 1 and <= 365, ReasonCodes.AgreementInvalidSharingDuty,
                    $"information-sharing duty of {c.InformationSharingDays} days is not between 1 and 365")
                .Time(c.SignedAt, "signedAt"),
            HoldConsultation c => v.Id(c.ConsultationId, "consultationId")
                .Text(c.Topic, "topic")
                .That(c.ActionItems is not null, ReasonCodes.MissingField, "actionItems is required (may be empty)")
                .Each(c.ActionItems, CheckActionItem)
                .Time(c.HeldAt, "heldAt"),
            CompleteActionItem c => v.Id(c.ItemId, "itemId").Time(c.CompletedAt, "completedAt"),
            EndAgreement c => v.OptionalText(c.Reason, "reason").Time(c.EndedAt, "endedAt"),
            _ => v,
        }).Rejection;
    }

    private static Validation CheckActionItem(Validation v, ActionItem? item) => item is null
        ? v.That(false, ReasonCodes.MissingField, "actionItems[] is null")
        : v.Id(item.ItemId, "actionItems[].itemId").Text(item.Text, "actionItems[].text")
            .Defined(item.Owner, "actionItems[].owner").Deadline(item.DueAt, "actionItems[].dueAt");

    private static Rejection No(string code, string message) => new(code, message);
}
