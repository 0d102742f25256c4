using CoManagement.Domain.Common;

namespace CoManagement.Domain.Organizations;

/// <summary>
/// The organisation facts a command needs, looked up by the handler before it calls a decider.
/// <para>
/// Why passed in rather than looked up: a decider is a pure function of (command, state, inputs), so tests can give it
/// any facts and a replay decides the same way. Each organisation lives in its own stream; the handler reads the ids a
/// decider names (<c>Member.OrganizationsNamedIn</c>, …) from the organisation read model, builds this directory and
/// passes it in. An organisation closing between that read and the append is an accepted race: the member's own
/// stream is still protected by its expected version, and a later command sees the closure.
/// </para>
/// An id that is not in the directory does not exist.
/// </summary>
public sealed class OrgDirectory
{
    private readonly Dictionary<string, OrgFacts> facts;

    /// <summary>A later entry for the same id wins, so a handler may pass what it loaded without de-duplicating.</summary>
    public OrgDirectory(IEnumerable<OrgFacts> facts)
    {
        this.facts = new Dictionary<string, OrgFacts>(StringComparer.Ordinal);
        foreach (var f in facts)
            this.facts[f.OrganizationId] = f;
    }

    public static OrgDirectory Empty { get; } = new([]);

    public static OrgDirectory Of(params OrgFacts[] facts) => new(facts);

    public IReadOnlyCollection<OrgFacts> All => facts.Values;

    public OrgFacts? Find(string id) => facts.GetValueOrDefault(id);

    /// <summary>The distinct, non-blank ids a command names; blanks are left to the decider's input checks.</summary>
    internal static IReadOnlyList<string> Ids(params IEnumerable<string?> ids) =>
        ids.Where(id => !string.IsNullOrWhiteSpace(id)).Distinct(StringComparer.Ordinal).ToArray()!;

    /// <summary>The actor's organisation exists, is open and is on the side the actor claims: the side events record comes from it.</summary>
    public Rejection? Acting(Actor actor) =>
        Require(actor.OrganizationId, "actor's organisation") ?? (Find(actor.OrganizationId)!.Side is var side && side == actor.Side
            ? null
            : new(ReasonCodes.ActorWrongSide, $"the actor claims the {actor.Side} side but '{actor.OrganizationId}' is on the {side} side"));

    /// <summary>
    /// Whether <paramref name="actorOrgId"/> is one of <paramref name="orgIds"/> or above one of them, by the ancestors
    /// this directory holds for them.
    /// </summary>
    public bool IsAtOrAbove(string actorOrgId, params IEnumerable<string?> orgIds) =>
        orgIds.Any(id => id is not null && (id == actorOrgId || (Find(id)?.AncestorIds?.Contains(actorOrgId) ?? false)));

    /// <summary>The organisation exists, is open and, when asked, is on <paramref name="side"/> and of one of <paramref name="kinds"/>.</summary>
    public Rejection? Require(string id, string role, Side? side = null, IReadOnlyList<OrganizationKind>? kinds = null) =>
        Find(id) switch
        {
            null => new(ReasonCodes.OrgNotFound, $"{role} '{id}' does not exist"),
            { IsOpen: false } => new(ReasonCodes.OrgClosed, $"{role} '{id}' is closed"),
            { } f when side is { } s && f.Side != s => new(ReasonCodes.OrgWrongSide, $"{role} '{id}' is on the {f.Side} side, not {s}"),
            { } f when kinds is not null && !kinds.Contains(f.Kind) =>
                new(ReasonCodes.OrgWrongKind, $"{role} '{id}' is a {f.Kind}, not one of {string.Join(", ", kinds)}"),
            _ => null,
        };
}
