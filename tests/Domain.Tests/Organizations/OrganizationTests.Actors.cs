namespace CoManagement.Domain.Tests.Organizations;

/// <summary>Who may act on an organisation: the tree above it, or itself; a root, only itself.</summary>
public partial class OrganizationTests
{
    private static readonly OrgDirectory WithStation = OrgDirectory.Of([.. TestData.Orgs.All,
        new OrgFacts(StationId, OrganizationKind.LiaisonStation, Side.Outflow, RegionCode.Parse("620102"), true, [PingliangDept])]);

    [Fact]
    public void a_root_is_created_by_itself_and_by_nobody_else()
    {
        var root = Create with { OrganizationId = "gs-dept", ParentId = null, Kind = OrganizationKind.Department, RegionCode = "620000" };
        Given().When(root).ThenRejects(ReasonCodes.ActorNotResponsible);
        Given().When(root with { Actor = new("u-gs", "gs-dept", Side.Inflow) }).ThenRejects(ReasonCodes.ActorNotResponsible);
    }

    [Fact]
    public void an_organisation_beside_or_below_the_parent_may_not_create_under_it()
    {
        Given().When(Create with { Actor = new("u-lz", LanzhouDept, Side.Inflow) }).ThenRejects(ReasonCodes.ActorNotResponsible);
        Given().When(Create with { Actor = new("u-kt", KongtongBranch, Side.Outflow) }).ThenRejects(ReasonCodes.ActorNotResponsible);
    }

    [Fact]
    public void an_organisation_not_above_it_may_not_close_it_or_set_its_targets()
    {
        Given(Created).When(Close with { Actor = new("u-kt", KongtongBranch, Side.Outflow) }).ThenRejects(ReasonCodes.ActorNotResponsible);
        Given(Created).When(Target with { Actor = new("u-lz", LanzhouDept, Side.Inflow) }).ThenRejects(ReasonCodes.ActorNotResponsible);
    }

    [Fact]
    public void the_organisation_itself_may_set_its_targets() =>
        Given(Created).When(Target with { Actor = new("u-st", StationId, Side.Outflow) }).With(WithStation).Then(TargetWasSet);

    [Fact]
    public void an_actor_claiming_the_other_side_than_its_organisation_is_rejected() =>
        Given(Created).When(Close with { Actor = new("u-pl-dept", PingliangDept, Side.Inflow) }).ThenRejects(ReasonCodes.ActorWrongSide);
}
