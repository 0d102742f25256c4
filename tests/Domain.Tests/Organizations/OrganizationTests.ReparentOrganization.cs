namespace CoManagement.Domain.Tests.Organizations;

public partial class OrganizationTests
{
    private const string NewParent = "pl-mobile-committee";

    private static ReparentOrganization Reparent => new(CommandId, DeptClerk, Now, StationId, NewParent, On(6, 1));

    private static readonly OrgDirectory WithNewParent = OrgDirectory.Of(
        [.. TestData.Orgs.All, new OrgFacts(NewParent, OrganizationKind.Committee, Side.Outflow, RegionCode.Parse("620800"), true, [PingliangDept])]);

    [Fact]
    public void reparenting_records_the_previous_and_the_new_parent()
    {
        var state = Given(Created).When(Reparent).With(WithNewParent)
            .Then(new OrganizationReparented(StationId, PingliangDept, NewParent, On(6, 1)));

        state.ParentId.ShouldBe(NewParent);
    }

    [Fact]
    public void reparenting_to_the_current_parent_is_nothing_to_do() =>
        Given(Created).When(Reparent with { ParentId = PingliangDept }).ThenNothing();

    [Fact]
    public void reparenting_to_itself_is_rejected() =>
        Given(Created).When(Reparent with { ParentId = StationId }).ThenRejects(ReasonCodes.OrgParentIsSelf);

    [Fact]
    public void reparenting_below_its_own_subtree_is_rejected() =>
        Given(Created).When(Reparent).With(OrgDirectory.Of([.. TestData.Orgs.All,
                new OrgFacts(NewParent, OrganizationKind.Committee, Side.Outflow, RegionCode.Parse("620102"), true, [PingliangDept, StationId])]))
            .ThenRejects(ReasonCodes.OrgParentCycle);

    [Fact]
    public void reparenting_to_an_unknown_parent_is_rejected() =>
        Given(Created).When(Reparent).ThenRejects(ReasonCodes.OrgNotFound);

    [Fact]
    public void reparenting_to_a_closed_parent_is_rejected() =>
        Given(Created).When(Reparent with { ParentId = ClosedBranch }).ThenRejects(ReasonCodes.OrgClosed);

    [Fact]
    public void reparenting_a_closed_organisation_is_rejected() =>
        Given(Created, Closed).When(Reparent).With(WithNewParent).ThenRejects(ReasonCodes.OrgClosed);

    [Fact]
    public void reparenting_an_unknown_organisation_is_rejected() =>
        Given().When(Reparent).With(WithNewParent).ThenRejects(ReasonCodes.OrgNotFound);

    [Fact]
    public void the_handler_is_told_to_look_up_the_new_parent_the_actor_s_organisation_and_the_current_parent() =>
        Organization.OrganizationsNamedIn(Reparent, Organization.Fold([Created])).ShouldBe([NewParent, PingliangDept]);

    [Theory]
    [InlineData("no parent", ReasonCodes.MissingField)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void reparenting_with_bad_input_is_rejected(string @case, string code) =>
        Given(Created).When(@case switch
        {
            "no parent" => Reparent with { ParentId = null! },
            "in the future" => Reparent with { ReparentedAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
