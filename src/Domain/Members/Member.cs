using CoManagement.Domain.Common;
using CoManagement.Domain.Organizations;

namespace CoManagement.Domain.Members;

/// <summary>
/// The decider for one member's stream. Organisations live in other streams, so their facts come in through an
/// <see cref="OrgDirectory"/> that the handler fills for <see cref="OrganizationsNamedIn"/>; the directory says why.
/// </summary>
public static class Member
{
    public static MemberState Initial => MemberState.Initial;

    public static bool IsTerminal(MemberState state) => state.Status == MemberStatus.MembershipEnded;

    public static MemberState Fold(IEnumerable<IMemberEvent> events) => events.Aggregate(Initial, Evolve);

    /// <summary>
    /// The organisations whose facts the handler must put in the directory for <paramref name="command"/> on a member in
    /// <paramref name="state"/>: those the command names, the actor's (its side is checked) and the member's formal one
    /// (only it and the organisations above it decide on the formal relationship).
    /// </summary>
    public static IReadOnlyList<string> OrganizationsNamedIn(IMemberCommand command, MemberState state) =>
        OrgDirectory.Ids([.. Named(command), command.Actor?.OrganizationId, state.FormalOrgId]);

    private static IEnumerable<string?> Named(IMemberCommand command) => command switch
    {
        RegisterOutflow c => [c.OutflowOrgId],
        ReportAtInflow c => [c.InflowOrgId],
        PlaceInBranch c => [c.InflowOrgId, c.BranchId],
        RecordActivity c => [c.OrganizationId],
        RecordAppraisal c => [c.OrganizationId],
        RequestTransfer c => [c.ReceivingOrgId],
        _ => [],
    };

    public static Decision Decide(IMemberCommand command, MemberState state, OrgDirectory orgs, DomainSettings settings)
    {
        if (Validate(command, settings) is { } invalid)
            return invalid;
        if (state.MemberId is { } id && id != command.MemberId)
            return No(ReasonCodes.WrongStream, $"command for '{command.MemberId}' sent to '{id}'");
        if (IsTerminal(state))
            return No(ReasonCodes.MemberMembershipEnded, "the membership has ended");
        if (orgs.Acting(command.Actor) is { } notActing)
            return notActing;

        return command switch
        {
            RegisterOutflow c => Register(c, state, orgs),
            ReportAtInflow c => Report(c, state, orgs),
            PlaceInBranch c => Place(c, state, orgs),
            LogContact c => Active(state, c.ContactedAt)
                ?? Accept(new ContactLogged(c.MemberId, state.Episode!.Number, c.Actor.Side, c.Method, c.Note, c.ContactedAt)),
            RecordActivity c => Active(state, c.AttendedAt) ?? orgs.Require(c.OrganizationId, "organisation")
                ?? Accept(new ActivityAttended(c.MemberId, state.Episode!.Number, c.OrganizationId, c.Kind, c.Mode, c.AttendedAt)),
            RecordCareVisit c => Active(state, c.VisitedAt)
                ?? Accept(new CareVisitRecorded(c.MemberId, state.Episode!.Number, c.Actor.Side, c.Kind, c.Note, c.VisitedAt)),
            RecordAppraisal c => Appraise(c, state, orgs, settings),
            ChangeDetails c => ChangeDetails(c, state),
            MoveOn c => MoveOn(c, state),
            RequestTransfer c => RequestTransfer(c, state, orgs),
            AcceptTransfer c => Transferring(state, c.AcceptedAt, c.Actor, Dated.AfterLastEvent)
                ?? Accept(new TransferAccepted(c.MemberId, state.Episode!.Number, state.Episode.TransferToOrgId!, c.AcceptedAt)),
            RejectTransfer c => Transferring(state, c.RejectedAt, c.Actor, Dated.AfterLastChange)
                ?? Accept(new TransferRejected(c.MemberId, state.Episode!.Number, state.Episode.TransferToOrgId!, c.Reason, c.RejectedAt)),
            RecordReturn c => Active(state, c.ReturnedAt, blockTransfer: true, Dated.AfterLastEvent)
                ?? Responsible(c.Actor, state.FormalOrgId, orgs, "record a return")
                ?? Accept(new Returned(c.MemberId, state.Episode!.Number, c.CardHandedIn, c.ReturnedAt)),
            MarkLostContact c => MarkLost(c, state, settings),
            MarkFound c => MarkFound(c, state),
            SuspendMembership c => Suspend(c, state, orgs, settings),
            RestoreMembership c => SuspensionOutcome(c.Actor, c.RestoredAt, state, orgs, settings, restore: true)
                ?? Accept(new MembershipRestored(c.MemberId, state.Episode!.Number, c.RestoredAt)),
            ConcludeSuspension c => SuspensionOutcome(c.Actor, c.ConcludedAt, state, orgs, settings, restore: false)
                ?? Accept(new SuspensionConcluded(c.MemberId, state.Episode!.Number, c.ConcludedAt)),
            _ => No(ReasonCodes.UnknownCommand, $"{command.GetType().Name} is not a member command"),
        };
    }

    public static MemberState Evolve(MemberState state, IMemberEvent @event)
    {
        if (@event is OutflowRegistered r)
        {
            return state with
            {
                MemberId = r.MemberId,
                MemberName = r.MemberName,
                IdNumber = r.IdNumber,
                FormalOrgId = r.OutflowOrgId,
                EpisodeCount = r.Episode,
                Episode = new Episode
                {
                    Number = r.Episode,
                    OutflowOrgId = r.OutflowOrgId,
                    Reason = r.Reason,
                    Destination = r.Destination,
                    DestinationPlace = r.DestinationPlace,
                    Employer = r.Employer,
                    ContactPhone = r.ContactPhone,
                    ActivityCardNo = r.ActivityCardNo,
                    DepartedAt = r.DepartedAt,
                    RegisteredAt = r.RegisteredAt,
                    ChangedAt = r.DepartedAt < r.RegisteredAt ? r.DepartedAt : r.RegisteredAt,
                    LastEventAt = r.DepartedAt > r.RegisteredAt ? r.DepartedAt : r.RegisteredAt,
                },
            };
        }

        // A view as of a business time folds the events dated by then, in stream order: a fact entered late may come
        // without its episode's registration (dated after it) or after a later episode began. It is no part of the
        // episode shown, so it changes nothing. In a whole stream every event follows its own episode's registration.
        if (state.Episode is not { } e || @event.Episode != e.Number)
            return state;
        var next = Apply(state, e, @event);
        var changed = next.Episode! with { LastEventAt = Latest(e.LastEventAt, @event.OccurredAt) };
        return next with { Episode = IsChangeOfState(@event) ? changed with { ChangedAt = Latest(e.ChangedAt, @event.OccurredAt) } : changed };
    }

    /// <summary>Facts logged about an open episode (contacts, activities, visits, appraisals, details) may be entered late; the rest may not.</summary>
    private static bool IsChangeOfState(IMemberEvent @event) =>
        @event is not (ContactLogged or ActivityAttended or CareVisitRecorded or AppraisalRecorded or DetailsChanged);

    private static MemberState Apply(MemberState state, Episode e, IMemberEvent @event)
    {
        return @event switch
        {
            ReportedAtInflow x => state with
            {
                Episode = e with
                {
                    InflowOrgId = x.InflowOrgId, ReportChannel = x.Channel, ReportedAt = x.ReportedAt,
                    PlacedByOrgId = null, BranchId = null, PlacedAt = null,
                },
            },
            PlacedInBranch x => state with { Episode = e with { PlacedByOrgId = x.InflowOrgId, BranchId = x.BranchId, PlacedAt = x.PlacedAt } },
            ContactLogged x => state with { Episode = e with { LastContactAt = Latest(e.LastContactAt, x.ContactedAt) } },
            ActivityAttended x => state with { Episode = e with { LastActivityAt = Latest(e.LastActivityAt, x.AttendedAt) } },
            CareVisitRecorded x => state with { Episode = e with { LastCareVisitAt = Latest(e.LastCareVisitAt, x.VisitedAt) } },
            AppraisalRecorded x => state with { Episode = e with { Appraisals = e.Appraisals.SetItem(x.Year, x.Result) } },
            DetailsChanged x => state with
            {
                Episode = e with
                {
                    ContactPhone = x.ContactPhone ?? e.ContactPhone,
                    Employer = x.Employer ?? e.Employer,
                    Address = x.Address ?? e.Address,
                },
            },
            MovedOn x => state with
            {
                Episode = e with
                {
                    Destination = x.Destination, DestinationPlace = x.DestinationPlace, MovedAt = x.MovedAt,
                    InflowOrgId = null, ReportChannel = null, ReportedAt = null,
                    PlacedByOrgId = null, BranchId = null, PlacedAt = null,
                },
            },
            TransferRequested x => state with { Episode = e with { TransferToOrgId = x.ReceivingOrgId, TransferRequestedAt = x.RequestedAt } },
            TransferAccepted x => state with
            {
                FormalOrgId = x.ReceivingOrgId,
                Episode = e with { Outcome = EpisodeOutcome.Transferred, ClosedAt = x.AcceptedAt },
            },
            TransferRejected => state with { Episode = e with { TransferToOrgId = null, TransferRequestedAt = null } },
            Returned x => state with { Episode = e with { Outcome = EpisodeOutcome.Returned, CardHandedIn = x.CardHandedIn, ClosedAt = x.ReturnedAt } },
            LostContactMarked x => state with { Episode = e with { LostAt = x.LostAt } },
            FoundAgain x => state with { Episode = e with { LostAt = null, FoundAt = x.FoundAt } },
            MembershipSuspended x => state with { Episode = e with { SuspendedAt = x.SuspendedAt } },
            MembershipRestored => state with { Episode = e with { SuspendedAt = null, LostAt = null } },
            SuspensionConcluded x => state with { Episode = e with { Outcome = EpisodeOutcome.MembershipEnded, ClosedAt = x.ConcludedAt } },
            _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "not a member event"),
        };
    }

    private static Decision Register(RegisterOutflow c, MemberState s, OrgDirectory orgs)
    {
        if (s.OpenEpisode is { } open)
            return No(ReasonCodes.MemberEpisodeAlreadyOpen, $"episode {open.Number} is still open");
        var startsAt = c.DepartedAt < c.RegisteredAt ? c.DepartedAt : c.RegisteredAt;
        if (s.Episode?.ClosedAt is { } closed && startsAt < closed)
            return No(ReasonCodes.MemberOverlapsPreviousEpisode, $"episode {s.Episode.Number} closed at {closed:O}, after this one starts");
        if (s.IdNumber is { } known && known != c.IdNumber)
            return No(ReasonCodes.MemberIdNumberMismatch, "the ID number differs from the member's earlier episodes: one person, one ID number");
        if (s.FormalOrgId is { } formal && formal != c.OutflowOrgId)
            return No(ReasonCodes.MemberNotFormalOrg, $"the formal relationship sits with '{formal}': it moves only by a transfer");
        // No side check: after a transfer the formal branch may be one that was labelled inflow-side.
        return orgs.Require(c.OutflowOrgId, "formal branch", kinds: OrganizationKinds.Branches)
            // An inflow organisation that found the member (组织找党员) registers them too; the bilateral view shows it.
            ?? (c.Actor.Side == Side.Inflow ? null : Responsible(c.Actor, c.OutflowOrgId, orgs, "register an outflow"))
            ?? Accept(new OutflowRegistered(
                c.MemberId, s.EpisodeCount + 1, c.MemberName, c.IdNumber, c.OutflowOrgId, c.Reason,
                RegionCode.Parse(c.DestinationRegion), c.DestinationPlace, c.Employer, c.ContactPhone, c.ActivityCardNo,
                c.DepartedAt, c.RegisteredAt));
    }

    private static Decision Report(ReportAtInflow c, MemberState s, OrgDirectory orgs)
    {
        if (Active(s, c.ReportedAt, blockTransfer: true, Dated.AfterLastChange) is { } no)
            return no;
        var e = s.Episode!;
        if (e.ReportedAt is not null && e.InflowOrgId == c.InflowOrgId)
            return No(ReasonCodes.MemberAlreadyReported, $"already reported at '{c.InflowOrgId}'");
        if (orgs.Require(c.InflowOrgId, "reporting place") is { } bad)
            return bad;
        var place = orgs.Find(c.InflowOrgId)!;
        if (place.Side != Side.Inflow && !OrganizationKinds.OutflowOutposts.Contains(place.Kind))
            return No(ReasonCodes.OrgWrongSide, $"'{c.InflowOrgId}' is an outflow-side {place.Kind}, not an inflow place or outpost");
        return Accept(new ReportedAtInflow(c.MemberId, e.Number, c.InflowOrgId, c.Channel, c.ReportedAt));
    }

    private static Decision Place(PlaceInBranch c, MemberState s, OrgDirectory orgs)
    {
        if (Active(s, c.PlacedAt, blockTransfer: true, Dated.AfterLastChange) is { } no)
            return no;
        var e = s.Episode!;
        if (e.ReportedAt is null)
            return No(ReasonCodes.MemberNotReported, "the member has not reported at the current destination");
        if (e.PlacedByOrgId == c.InflowOrgId && e.BranchId == c.BranchId)
            return Decision.Nothing;
        return orgs.Require(c.InflowOrgId, "inflow organisation", Side.Inflow)
            ?? orgs.Require(c.BranchId, "branch", kinds: OrganizationKinds.Branches)
            ?? BranchOf(c.InflowOrgId, orgs.Find(c.BranchId)!)
            ?? Accept(new PlacedInBranch(c.MemberId, e.Number, c.InflowOrgId, c.BranchId, c.PlacedAt));
    }

    private static Decision Appraise(RecordAppraisal c, MemberState s, OrgDirectory orgs, DomainSettings settings)
    {
        if (Active(s, c.AppraisedAt) is { } no)
            return no;
        var e = s.Episode!;
        var (first, last) = (e.StartedAt.ToOffset(settings.CalendarOffset).Year, c.AppraisedAt.ToOffset(settings.CalendarOffset).Year);
        if (c.Year < first || c.Year > last)
            return No(ReasonCodes.MemberAppraisalYearOutOfRange, $"year {c.Year} is outside the episode ({first}–{last})");
        if (e.Appraisals.TryGetValue(c.Year, out var earlier))
            return earlier == c.Result ? Decision.Nothing
                : No(ReasonCodes.MemberAlreadyAppraised, $"{c.Year} was already appraised as {earlier}");
        return orgs.Require(c.OrganizationId, "appraising organisation")
            ?? (orgs.Find(c.OrganizationId) is var f && (f!.Side == Side.Inflow || OrganizationKinds.OutflowOutposts.Contains(f.Kind)) ? null
                : No(ReasonCodes.OrgWrongSide, $"'{c.OrganizationId}' is an outflow-side {f.Kind}: the member's place at the destination appraises"))
            ?? Accept(new AppraisalRecorded(c.MemberId, e.Number, c.Year, c.Result, c.OrganizationId, c.AppraisedAt));
    }

    private static Decision ChangeDetails(ChangeDetails c, MemberState s)
    {
        if (Active(s, c.ChangedAt) is { } no)
            return no;
        var e = s.Episode!;
        var phone = c.ContactPhone == e.ContactPhone ? null : c.ContactPhone;
        var employer = c.Employer == e.Employer ? null : c.Employer;
        var address = c.Address == e.Address ? null : c.Address;
        return phone is null && employer is null && address is null
            ? Decision.Nothing
            : Accept(new DetailsChanged(c.MemberId, e.Number, phone, employer, address, c.ChangedAt));
    }

    private static Decision MoveOn(MoveOn c, MemberState s)
    {
        if (Active(s, c.MovedAt, blockTransfer: true, Dated.AfterLastChange) is { } no)
            return no;
        var e = s.Episode!;
        var destination = RegionCode.Parse(c.DestinationRegion);
        return destination == e.Destination && c.DestinationPlace == e.DestinationPlace
            ? Decision.Nothing
            : Accept(new MovedOn(c.MemberId, e.Number, destination, c.DestinationPlace, c.MovedAt));
    }

    private static Decision RequestTransfer(RequestTransfer c, MemberState s, OrgDirectory orgs)
    {
        if (Active(s, c.RequestedAt, dated: Dated.AfterLastChange) is { } no)
            return no;
        var e = s.Episode!;
        if (e.TransferToOrgId is { } pending)
            return pending == c.ReceivingOrgId ? Decision.Nothing
                : No(ReasonCodes.MemberTransferPending, $"a transfer to '{pending}' is pending");
        if (e.ReportedAt is null)
            return No(ReasonCodes.MemberNotReported, "a transfer needs a report at the current destination");
        if (c.ReceivingOrgId == s.FormalOrgId)
            return No(ReasonCodes.MemberTransferToOwnOrg, $"'{c.ReceivingOrgId}' already holds the relationship");
        return Responsible(c.Actor, s.FormalOrgId, orgs, "request a transfer")
            ?? orgs.Require(c.ReceivingOrgId, "receiving organisation", Side.Inflow, OrganizationKinds.Branches)
            ?? Accept(new TransferRequested(c.MemberId, e.Number, c.ReceivingOrgId, c.RequestedAt));
    }

    private static Decision MarkLost(MarkLostContact c, MemberState s, DomainSettings settings)
    {
        if (Open(s, c.LostAt, Dated.AfterLastChange) is { } no)
            return no;
        var e = s.Episode!;
        if (e.SuspendedAt is not null)
            return No(ReasonCodes.MemberSuspended, "the membership is suspended");
        if (e.LostAt is not null)
            return Decision.Nothing;
        if (e.TransferToOrgId is { } pending)
            return No(ReasonCodes.MemberTransferPending, $"a transfer to '{pending}' is pending");
        if (c.LostAt - e.LastSeenAt < settings.ContactOverdue)
            return No(ReasonCodes.MemberRecentlyContacted, $"last seen or heard from at {e.LastSeenAt:O}, less than {settings.ContactOverdue.TotalDays} days before");
        return Accept(new LostContactMarked(c.MemberId, e.Number, c.LostAt));
    }

    private static Decision MarkFound(MarkFound c, MemberState s)
    {
        if (Open(s, c.FoundAt, Dated.AfterLastChange) is { } no)
            return no;
        var e = s.Episode!;
        if (e.SuspendedAt is not null)
            return No(ReasonCodes.MemberSuspended, "the membership is suspended: restore it instead");
        if (e.LostAt is null)
            return No(ReasonCodes.MemberNotLost, "the member is not marked as lost");
        return Accept(new FoundAgain(c.MemberId, e.Number, c.FoundAt));
    }

    private static Decision Suspend(SuspendMembership c, MemberState s, OrgDirectory orgs, DomainSettings settings)
    {
        if ((Open(s, c.SuspendedAt, Dated.AfterLastChange) ?? Responsible(c.Actor, s.FormalOrgId, orgs, "suspend a membership")) is { } no)
            return no;
        var e = s.Episode!;
        if (e.SuspendedAt is not null)
            return Decision.Nothing;
        if (e.LostAt is not { } lostAt)
            return No(ReasonCodes.MemberNotLost, "only a member lost for long can be suspended");
        if (c.SuspendedAt - lostAt < settings.LostContactSuspension)
            return No(ReasonCodes.MemberLostTooRecently, $"lost since {lostAt:O}, less than {settings.LostContactSuspension.TotalDays} days");
        return Accept(new MembershipSuspended(c.MemberId, e.Number, c.SuspendedAt));
    }

    private static Rejection? SuspensionOutcome(Actor actor, DateTimeOffset at, MemberState s, OrgDirectory orgs, DomainSettings settings, bool restore)
    {
        if ((Open(s, at, restore ? Dated.AfterLastChange : Dated.AfterLastEvent)
             ?? Responsible(actor, s.FormalOrgId, orgs, restore ? "restore a membership" : "conclude a suspension")) is { } no)
            return no;
        if (s.Episode!.SuspendedAt is not { } suspendedAt)
            return No(ReasonCodes.MemberNotSuspended, "the membership is not suspended");
        var withinWindow = at - suspendedAt <= settings.SuspensionRestorableWithin;
        return (restore, withinWindow) switch
        {
            (true, false) => No(ReasonCodes.MemberSuspensionExpired, $"suspended since {suspendedAt:O}, past the restorable window"),
            (false, true) => No(ReasonCodes.MemberSuspensionStillRestorable, $"suspended since {suspendedAt:O}, still restorable"),
            _ => null,
        };
    }

    private static Rejection? Transferring(MemberState s, DateTimeOffset at, Actor actor, Dated dated)
    {
        if (Open(s, at, dated) is { } no)
            return no;
        if (s.Episode!.TransferToOrgId is not { } receiver)
            return No(ReasonCodes.MemberNoTransferPending, "no transfer is pending");
        return actor.OrganizationId == receiver ? null
            : No(ReasonCodes.MemberNotReceivingOrg, $"only '{receiver}' may answer this transfer");
    }

    /// <summary>How a command's business time must stand to the episode's earlier events.</summary>
    private enum Dated
    {
        /// <summary>A fact logged about the episode (a contact, an activity…): it may be entered late, within the episode.</summary>
        MayBeLate,

        /// <summary>A change of state: not before the last one, or a replay would show states in an impossible order.</summary>
        AfterLastChange,

        /// <summary>A close of the episode: not before any of its events.</summary>
        AfterLastEvent,
    }

    /// <summary>An open episode that <paramref name="at"/> falls in, dated as <paramref name="dated"/> requires.</summary>
    private static Rejection? Open(MemberState s, DateTimeOffset at, Dated dated = Dated.MayBeLate) => s.OpenEpisode switch
    {
        null => No(ReasonCodes.MemberNoOpenEpisode, "the member has no open mobility episode"),
        { } e when at < e.StartedAt => No(ReasonCodes.MemberTimeBeforeEpisode, $"{at:O} is before the episode started at {e.StartedAt:O}"),
        { } e when dated == Dated.AfterLastChange && at < e.ChangedAt =>
            No(ReasonCodes.MemberTimeOutOfOrder, $"{at:O} is before the member's last change of state at {e.ChangedAt:O}"),
        { } e when dated == Dated.AfterLastEvent && at < e.LastEventAt =>
            No(ReasonCodes.MemberTimeOutOfOrder, $"{at:O} is before the episode's last recorded event at {e.LastEventAt:O}"),
        _ => null,
    };

    /// <summary>An open episode with a reachable member; some steps also wait for a pending transfer to be answered.</summary>
    private static Rejection? Active(MemberState s, DateTimeOffset at, bool blockTransfer = false, Dated dated = Dated.MayBeLate) =>
        Open(s, at, dated) ?? s.Episode switch
    {
        { SuspendedAt: not null } => No(ReasonCodes.MemberSuspended, "the membership is suspended"),
        { LostAt: not null } => No(ReasonCodes.MemberLostContact, "the member is marked as lost: mark them found first"),
        { TransferToOrgId: { } pending } when blockTransfer => No(ReasonCodes.MemberTransferPending, $"a transfer to '{pending}' is pending"),
        _ => null,
    };

    /// <summary>The formal organisation or one above it: only they decide on the formal relationship.</summary>
    private static Rejection? Responsible(Actor actor, string? formalOrgId, OrgDirectory orgs, string what) =>
        orgs.IsAtOrAbove(actor.OrganizationId, formalOrgId)
            ? null
            : No(ReasonCodes.ActorNotResponsible, $"only '{formalOrgId}', which holds the formal relationship, or an organisation above it may {what}");

    /// <summary>
    /// A branch of the placing organisation's own tree, or a mobile-member branch (which the outflow side may set up in
    /// the destination city).
    /// </summary>
    private static Rejection? BranchOf(string placingOrgId, OrgFacts branch) =>
        branch.Kind == OrganizationKind.MobileBranch || branch.OrganizationId == placingOrgId
        || (branch.AncestorIds?.Contains(placingOrgId) ?? false)
            ? null
            : No(ReasonCodes.MemberBranchOutsidePlacingOrg, $"branch '{branch.OrganizationId}' is not under '{placingOrgId}'");

    private static Rejection? Validate(IMemberCommand command, DomainSettings settings)
    {
        var v = Validation.Of(command, settings).Id(command.MemberId, "memberId");
        const string region = ReasonCodes.MemberInvalidRegionCode, phone = ReasonCodes.MemberInvalidPhone;
        return (command switch
        {
            RegisterOutflow c => v.Text(c.MemberName, "memberName")
                .IdNumber(c.IdNumber, "idNumber", ReasonCodes.MemberInvalidIdNumber)
                .Id(c.OutflowOrgId, "outflowOrgId")
                .Defined(c.Reason, "reason")
                .Region(c.DestinationRegion, "destinationRegion", region)
                .Text(c.DestinationPlace, "destinationPlace")
                .OptionalText(c.Employer, "employer")
                .Phone(c.ContactPhone, "contactPhone", phone)
                .OptionalText(c.ActivityCardNo, "activityCardNo")
                .Time(c.DepartedAt, "departedAt")
                .Time(c.RegisteredAt, "registeredAt"),
            ReportAtInflow c => v.Id(c.InflowOrgId, "inflowOrgId").Defined(c.Channel, "channel").Time(c.ReportedAt, "reportedAt"),
            PlaceInBranch c => v.Id(c.InflowOrgId, "inflowOrgId").Id(c.BranchId, "branchId").Time(c.PlacedAt, "placedAt"),
            LogContact c => v.Defined(c.Method, "method").OptionalText(c.Note, "note").Time(c.ContactedAt, "contactedAt"),
            RecordActivity c => v.Id(c.OrganizationId, "organizationId").Defined(c.Kind, "kind").Defined(c.Mode, "mode")
                .Time(c.AttendedAt, "attendedAt"),
            RecordCareVisit c => v.Defined(c.Kind, "kind").OptionalText(c.Note, "note").Time(c.VisitedAt, "visitedAt"),
            RecordAppraisal c => v.Defined(c.Result, "result").Id(c.OrganizationId, "organizationId").Time(c.AppraisedAt, "appraisedAt"),
            ChangeDetails c => v
                .That(c.ContactPhone is not null || c.Employer is not null || c.Address is not null,
                    ReasonCodes.MissingField, "contactPhone, employer or address is required")
                .OptionalPhone(c.ContactPhone, "contactPhone", phone)
                .OptionalText(c.Employer, "employer")
                .OptionalText(c.Address, "address")
                .Time(c.ChangedAt, "changedAt"),
            MoveOn c => v.Region(c.DestinationRegion, "destinationRegion", region).Text(c.DestinationPlace, "destinationPlace")
                .Time(c.MovedAt, "movedAt"),
            RequestTransfer c => v.Id(c.ReceivingOrgId, "receivingOrgId").Time(c.RequestedAt, "requestedAt"),
            AcceptTransfer c => v.Time(c.AcceptedAt, "acceptedAt"),
            RejectTransfer c => v.Text(c.Reason, "reason").Time(c.RejectedAt, "rejectedAt"),
            RecordReturn c => v.Time(c.ReturnedAt, "returnedAt"),
            MarkLostContact c => v.Time(c.LostAt, "lostAt"),
            MarkFound c => v.Time(c.FoundAt, "foundAt"),
            SuspendMembership c => v.Time(c.SuspendedAt, "suspendedAt"),
            RestoreMembership c => v.Time(c.RestoredAt, "restoredAt"),
            ConcludeSuspension c => v.Time(c.ConcludedAt, "concludedAt"),
            _ => v,
        }).Rejection;
    }

    private static DateTimeOffset Latest(DateTimeOffset? current, DateTimeOffset candidate) =>
        current is { } c && c > candidate ? c : candidate;

    private static Decision Accept(IMemberEvent @event) => Decision.Accept(@event);

    private static Rejection No(string code, string message) => new(code, message);
}
