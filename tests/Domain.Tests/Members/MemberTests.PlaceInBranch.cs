namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static PlaceInBranch Place => new(CommandId, InflowClerk, Now, MemberId, ChengguanCommunity, ChengguanBranch, On(2, 1));

    [Fact]
    public void placing_a_reported_member_records_the_placing_org_and_branch()
    {
        var state = Given(ReportedMember).When(Place).Then(Placed);

        state.Status.ShouldBe(MemberStatus.Placed);
        state.OpenEpisode!.PlacedByOrgId.ShouldBe(ChengguanCommunity);
        state.OpenEpisode.BranchId.ShouldBe(ChengguanBranch);
    }

    [Fact]
    public void placing_in_the_same_branch_again_is_nothing_to_do() =>
        Given(PlacedMember).When(Place with { PlacedAt = On(3, 1) }).ThenNothing();

    [Fact]
    public void placing_in_another_branch_moves_the_placement() =>
        Given(PlacedMember).When(Place with { BranchId = PingliangMobileBranch, PlacedAt = On(3, 1) })
            .Then(Placed with { BranchId = PingliangMobileBranch, PlacedAt = On(3, 1) });

    [Fact]
    public void placing_a_member_who_has_not_reported_is_rejected() =>
        Given(Outflowed).When(Place).ThenRejects(ReasonCodes.MemberNotReported);

    [Fact]
    public void placing_after_moving_on_without_a_new_report_is_rejected() =>
        Given([.. PlacedMember, new MovedOn(MemberId, 1, RegionCode.Parse("610113"), "西安市雁塔区", On(5, 1))])
            .When(Place with { PlacedAt = On(5, 2) })
            .ThenRejects(ReasonCodes.MemberNotReported);

    [Fact]
    public void placing_by_an_outflow_side_organisation_is_rejected() =>
        Given(ReportedMember).When(Place with { InflowOrgId = PingliangLiaisonStation }).ThenRejects(ReasonCodes.OrgWrongSide);

    [Fact]
    public void placing_in_something_that_is_not_a_branch_is_rejected() =>
        Given(ReportedMember).When(Place with { BranchId = ChengguanPoint }).ThenRejects(ReasonCodes.OrgWrongKind);

    [Fact]
    public void placing_by_an_unknown_inflow_org_is_rejected() =>
        Given(ReportedMember).When(Place with { InflowOrgId = Unknown }).ThenRejects(ReasonCodes.OrgNotFound);

    [Fact]
    public void placing_in_an_unknown_branch_is_rejected() =>
        Given(ReportedMember).When(Place with { BranchId = Unknown }).ThenRejects(ReasonCodes.OrgNotFound);

    [Fact]
    public void placing_in_a_closed_branch_is_rejected() =>
        Given(ReportedMember).When(Place with { BranchId = ClosedBranch }).ThenRejects(ReasonCodes.OrgClosed);

    [Fact]
    public void placing_without_an_episode_is_rejected() =>
        Given().When(Place).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Fact]
    public void placing_a_lost_member_is_rejected() =>
        Given([.. ReportedMember, Lost]).When(Place with { PlacedAt = On(4, 20) }).ThenRejects(ReasonCodes.MemberLostContact);

    [Fact]
    public void placing_while_a_transfer_is_pending_is_rejected() =>
        Given(TransferringMember).When(Place with { BranchId = PingliangMobileBranch, PlacedAt = On(7, 2) })
            .ThenRejects(ReasonCodes.MemberTransferPending);

    [Theory]
    [InlineData("no inflow org", ReasonCodes.MissingField)]
    [InlineData("no branch", ReasonCodes.MissingField)]
    [InlineData("oversized branch id", ReasonCodes.FieldTooLong)]
    [InlineData("no placement time", ReasonCodes.MissingField)]
    [InlineData("placement in the future", ReasonCodes.TimeInFuture)]
    public void placing_with_bad_input_is_rejected(string @case, string code) =>
        Given(ReportedMember).When(@case switch
        {
            "no inflow org" => Place with { InflowOrgId = "" },
            "no branch" => Place with { BranchId = "" },
            "oversized branch id" => Place with { BranchId = new string('b', 65) },
            "no placement time" => Place with { PlacedAt = default },
            "placement in the future" => Place with { PlacedAt = Now.AddDays(3) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
