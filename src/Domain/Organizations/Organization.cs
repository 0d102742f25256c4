using CoManagement.Domain.Common;

namespace CoManagement.Domain.Organizations;

/// <summary>The decider for one organisation's stream. The parent lives in another stream: its facts come in an <see cref="OrgDirectory"/>.</summary>
public static class Organization
{
    public static OrganizationState Initial => OrganizationState.Initial;

    public static bool IsTerminal(OrganizationState state) => state.Status == OrganizationStatus.Closed;

    public static OrganizationState Fold(IEnumerable<IOrganizationEvent> events) => events.Aggregate(Initial, Evolve);

    /// <summary>
    /// The organisations whose facts the handler must put in the directory for <paramref name="command"/> on an
    /// organisation in <paramref name="state"/>: the parent named, the actor's, and the current parent (whose ancestors
    /// say who stands above the organisation).
    /// </summary>
    public static IReadOnlyList<string> OrganizationsNamedIn(IOrganizationCommand command, OrganizationState state) =>
        OrgDirectory.Ids(command switch
        {
            CreateOrganization c => c.ParentId,
            ReparentOrganization c => c.ParentId,
            _ => null,
        }, command.Actor?.OrganizationId, state.ParentId);

    public static Decision Decide(IOrganizationCommand command, OrganizationState state, OrgDirectory orgs, DomainSettings settings)
    {
        if (Validate(command, settings) is { } invalid)
            return invalid;
        if (state.Status != OrganizationStatus.None && state.OrganizationId != command.OrganizationId)
            return new Rejection(ReasonCodes.WrongStream, $"command for '{command.OrganizationId}' sent to '{state.OrganizationId}'");

        // A creation is judged on its parent first (Create); an organisation that does not exist has nobody above it
        // yet, so the switch answers that it does not exist.
        if (command is not CreateOrganization && state.Status != OrganizationStatus.None && Acting(command, state, orgs) is { } notActing)
            return notActing;

        return (command, state.Status) switch
        {
            (CreateOrganization c, OrganizationStatus.None) => Create(c, orgs),
            (CreateOrganization c, _) => new Rejection(ReasonCodes.OrgAlreadyExists, $"organisation '{c.OrganizationId}' already exists"),
            (_, OrganizationStatus.None) => new Rejection(ReasonCodes.OrgNotFound, $"organisation '{command.OrganizationId}' does not exist"),
            (CloseOrganization, OrganizationStatus.Closed) => Decision.Nothing,
            (_, OrganizationStatus.Closed) => new Rejection(ReasonCodes.OrgClosed, $"organisation '{command.OrganizationId}' is closed"),
            (RenameOrganization c, _) => c.Name == state.Name ? Decision.Nothing
                : Decision.Accept(new OrganizationRenamed(c.OrganizationId, c.Name, c.RenamedAt)),
            (ReparentOrganization c, _) => Reparent(c, state, orgs),
            (CloseOrganization c, _) => Decision.Accept(new OrganizationClosed(c.OrganizationId, c.ClosedAt)),
            (SetTarget c, _) => state.Targets.TryGetValue((c.Metric, c.Year), out var current) && current == c.Value
                ? Decision.Nothing
                : Decision.Accept(new TargetSet(c.OrganizationId, c.Metric, c.Year, c.Value, c.SetAt)),
            _ => new Rejection(ReasonCodes.UnknownCommand, $"{command.GetType().Name} is not an organisation command"),
        };
    }

    public static OrganizationState Evolve(OrganizationState state, IOrganizationEvent @event) => @event switch
    {
        OrganizationCreated e => state with
        {
            Status = OrganizationStatus.Open,
            OrganizationId = e.OrganizationId,
            Name = e.Name,
            ParentId = e.ParentId,
            Kind = e.Kind,
            Side = e.Side,
            Region = e.Region,
            EstablishedAt = e.EstablishedAt,
        },
        OrganizationRenamed e => state with { Name = e.Name },
        OrganizationReparented e => state with { ParentId = e.ParentId },
        OrganizationClosed e => state with { Status = OrganizationStatus.Closed, ClosedAt = e.ClosedAt },
        TargetSet e => state with { Targets = state.Targets.SetItem((e.Metric, e.Year), e.Value) },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "not an organisation event"),
    };

    private static Decision Create(CreateOrganization c, OrgDirectory orgs)
    {
        if (c.ParentId is null && !OrganizationKinds.Roots.Contains(c.Kind))
            return new Rejection(ReasonCodes.OrgParentRequired, $"a {c.Kind} needs a parent organisation");
        if (c.ParentId == c.OrganizationId)
            return new Rejection(ReasonCodes.OrgParentIsSelf, "an organisation cannot be its own parent");
        if (c.ParentId is { } parent && orgs.Require(parent, "parent") is { } bad)
            return bad;
        return Acting(c, OrganizationState.Initial, orgs) ?? Decision.Accept(new OrganizationCreated(
            c.OrganizationId, c.Name, c.ParentId, c.Kind, c.Side, RegionCode.Parse(c.RegionCode), c.EstablishedAt));
    }

    /// <summary>
    /// Who may act on an organisation: its parent or one above it creates it, and it or one above it renames, moves,
    /// closes it or sets its targets. A root (a department or committee with no parent) is created by itself: the first
    /// command of a tree has no organisation above it to come from, so its actor must name it and its side.
    /// </summary>
    private static Rejection? Acting(IOrganizationCommand command, OrganizationState state, OrgDirectory orgs)
    {
        var actor = command.Actor;
        if (command is CreateOrganization { ParentId: null } root)
        {
            return actor.OrganizationId == root.OrganizationId && actor.Side == root.Side ? null
                : new Rejection(ReasonCodes.ActorNotResponsible, $"a root organisation is created by itself: the actor names '{root.OrganizationId}' on the {root.Side} side");
        }
        if (orgs.Acting(actor) is { } notActing)
            return notActing;
        var (over, what) = command is CreateOrganization c ? ([c.ParentId], $"create an organisation under '{c.ParentId}'")
            : (new[] { command.OrganizationId, state.ParentId }, $"act on '{command.OrganizationId}'");
        return orgs.IsAtOrAbove(actor.OrganizationId, over)
            ? null
            : new Rejection(ReasonCodes.ActorNotResponsible, $"only the organisation or one above it may {what}");
    }

    private static Decision Reparent(ReparentOrganization c, OrganizationState state, OrgDirectory orgs)
    {
        if (c.ParentId == c.OrganizationId)
            return new Rejection(ReasonCodes.OrgParentIsSelf, "an organisation cannot be its own parent");
        if (c.ParentId == state.ParentId)
            return Decision.Nothing;
        if (orgs.Require(c.ParentId, "parent") is { } bad)
            return bad;
        if (orgs.Find(c.ParentId)!.AncestorIds?.Contains(c.OrganizationId) == true)
            return new Rejection(ReasonCodes.OrgParentCycle, $"'{c.ParentId}' lies below '{c.OrganizationId}'");
        return Decision.Accept(new OrganizationReparented(c.OrganizationId, state.ParentId, c.ParentId, c.ReparentedAt));
    }

    private static Rejection? Validate(IOrganizationCommand command, DomainSettings settings)
    {
        var v = Validation.Of(command, settings).Id(command.OrganizationId, "organizationId");
        return (command switch
        {
            CreateOrganization c => v.Text(c.Name, "name")
                .OptionalId(c.ParentId, "parentId")
                .Defined(c.Kind, "kind")
                .Defined(c.Side, "side")
                .Region(c.RegionCode, "regionCode", ReasonCodes.OrgInvalidRegionCode)
                .Time(c.EstablishedAt, "establishedAt"),
            RenameOrganization c => v.Text(c.Name, "name").Time(c.RenamedAt, "renamedAt"),
            ReparentOrganization c => v.Id(c.ParentId, "parentId").Time(c.ReparentedAt, "reparentedAt"),
            CloseOrganization c => v.Time(c.ClosedAt, "closedAt"),
            SetTarget c => v.Defined(c.Metric, "metric")
                .That(c.Year >= 2000 && c.Year <= c.Now.Year + 1, ReasonCodes.InvalidValue, $"year {c.Year} is not this year, next year or a past year")
                .That(c.Value is >= 0m and <= 1m, ReasonCodes.OrgTargetOutOfRange, $"target {c.Value} is not between 0 and 1")
                .Time(c.SetAt, "setAt"),
            _ => v,
        }).Rejection;
    }
}
