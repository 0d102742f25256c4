namespace CoManagement.Domain.Tests.Organizations;

public partial class OrganizationTests
{
    private static CreateOrganization Create => new(
        CommandId, DeptClerk, Now, StationId, "平凉市驻兰州城关流动党员联络站", PingliangDept, OrganizationKind.LiaisonStation,
        Side.Outflow, "620102", On(3, 1));

    [Fact]
    public void creating_a_station_under_a_department_records_kind_side_and_region()
    {
        var state = Given().When(Create).Then(Created);

        state.Status.ShouldBe(OrganizationStatus.Open);
        state.Region.Province.ShouldBe("62");
        Organization.IsTerminal(state).ShouldBeFalse();
    }

    [Fact]
    public void creating_a_root_department_needs_no_parent() =>
        Given().When(Create with { OrganizationId = "gs-dept", Name = "甘肃省委组织部", ParentId = null, Kind = OrganizationKind.Department, RegionCode = "620000",
                Actor = new("u-gs", "gs-dept", Side.Outflow) })
            .Then(new OrganizationCreated("gs-dept", "甘肃省委组织部", null, OrganizationKind.Department, Side.Outflow, RegionCode.Parse("620000"), On(3, 1)));

    [Fact]
    public void creating_a_root_that_is_not_a_department_or_committee_is_rejected() =>
        Given().When(Create with { ParentId = null }).ThenRejects(ReasonCodes.OrgParentRequired);

    [Fact]
    public void creating_an_organisation_under_itself_is_rejected() =>
        Given().When(Create with { ParentId = StationId }).ThenRejects(ReasonCodes.OrgParentIsSelf);

    [Fact]
    public void creating_under_an_unknown_parent_is_rejected() =>
        Given().When(Create with { ParentId = Unknown }).ThenRejects(ReasonCodes.OrgNotFound);

    [Fact]
    public void creating_under_a_closed_parent_is_rejected() =>
        Given().When(Create with { ParentId = ClosedBranch }).ThenRejects(ReasonCodes.OrgClosed);

    [Fact]
    public void creating_an_organisation_that_exists_is_rejected() =>
        Given(Created).When(Create).ThenRejects(ReasonCodes.OrgAlreadyExists);

    [Fact]
    public void creating_a_closed_organisation_again_is_rejected() =>
        Given(Created, Closed).When(Create).ThenRejects(ReasonCodes.OrgAlreadyExists);

    [Theory]
    [InlineData("no id", ReasonCodes.MissingField)]
    [InlineData("oversized id", ReasonCodes.FieldTooLong)]
    [InlineData("no name", ReasonCodes.MissingField)]
    [InlineData("oversized name", ReasonCodes.FieldTooLong)]
    [InlineData("blank parent", ReasonCodes.MissingField)]
    [InlineData("unknown kind", ReasonCodes.InvalidValue)]
    [InlineData("unknown side", ReasonCodes.InvalidValue)]
    [InlineData("no region", ReasonCodes.MissingField)]
    [InlineData("short region", ReasonCodes.OrgInvalidRegionCode)]
    [InlineData("region of no province", ReasonCodes.OrgInvalidRegionCode)]
    [InlineData("no establishment date", ReasonCodes.MissingField)]
    [InlineData("established in the future", ReasonCodes.TimeInFuture)]
    [InlineData("no command id", ReasonCodes.MissingField)]
    public void creating_with_bad_input_is_rejected(string @case, string code) =>
        Given().When(@case switch
        {
            "no id" => Create with { OrganizationId = "" },
            "oversized id" => Create with { OrganizationId = new string('o', 65) },
            "no name" => Create with { Name = "" },
            "oversized name" => Create with { Name = new string('站', 201) },
            "blank parent" => Create with { ParentId = " " },
            "unknown kind" => Create with { Kind = (OrganizationKind)20 },
            "unknown side" => Create with { Side = (Side)2 },
            "no region" => Create with { RegionCode = "" },
            "short region" => Create with { RegionCode = "6201" },
            "region of no province" => Create with { RegionCode = "200102" },
            "no establishment date" => Create with { EstablishedAt = default },
            "established in the future" => Create with { EstablishedAt = Now.AddDays(1) },
            "no command id" => Create with { CommandId = Guid.Empty },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);

    [Fact]
    public void the_handler_is_told_to_look_up_the_parent_and_the_actor_s_organisation()
    {
        Organization.OrganizationsNamedIn(Create, Organization.Initial).ShouldBe([PingliangDept]);
        Organization.OrganizationsNamedIn(Create with { ParentId = null, Actor = new("u", StationId, Side.Outflow) }, Organization.Initial)
            .ShouldBe([StationId]);
        Organization.OrganizationsNamedIn(Close, Organization.Fold([Created])).ShouldBe([PingliangDept], "the current parent, here also the actor's");
    }

    [Fact]
    public void an_organisations_state_gives_the_facts_other_deciders_need()
    {
        Organization.Initial.ToFacts().ShouldBeNull();
        var facts = Organization.Fold([Created]).ToFacts([PingliangDept]).ShouldNotBeNull();
        facts.ShouldBe(new OrgFacts(StationId, OrganizationKind.LiaisonStation, Side.Outflow, RegionCode.Parse("620102"), true, facts.AncestorIds));
        facts.AncestorIds.ShouldBe([PingliangDept]);
        Organization.Fold([Created, Closed]).ToFacts()!.IsOpen.ShouldBeFalse();
    }
}
