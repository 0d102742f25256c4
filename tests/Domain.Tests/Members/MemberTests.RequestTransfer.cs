namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static RequestTransfer Transfer => new(CommandId, OutflowClerk, Now, MemberId, ChengguanBranch, On(7, 1));

    [Fact]
    public void requesting_a_transfer_of_a_placed_member_leaves_the_origin_responsible()
    {
        var state = Given(PlacedMember).When(Transfer).Then(TransferRequestedToBranch);

        state.Status.ShouldBe(MemberStatus.Transferring);
        state.FormalOrgId.ShouldBe(KongtongBranch);
        state.OpenEpisode.ShouldNotBeNull();
    }

    [Fact]
    public void requesting_a_transfer_of_a_reported_member_is_accepted() =>
        Given(ReportedMember).When(Transfer).Then(TransferRequestedToBranch);

    [Fact]
    public void requesting_the_same_transfer_again_is_nothing_to_do() =>
        Given(TransferringMember).When(Transfer with { RequestedAt = On(7, 2) }).ThenNothing();

    [Fact]
    public void requesting_another_transfer_while_one_is_pending_is_rejected() =>
        Given(TransferringMember).When(Transfer with { ReceivingOrgId = YantaBranch }).ThenRejects(ReasonCodes.MemberTransferPending);

    [Fact]
    public void requesting_a_transfer_before_reporting_is_rejected() =>
        Given(Outflowed).When(Transfer).ThenRejects(ReasonCodes.MemberNotReported);

    [Fact]
    public void requesting_a_transfer_to_the_formal_branch_itself_is_rejected() =>
        Given(PlacedMember).When(Transfer with { ReceivingOrgId = KongtongBranch }).ThenRejects(ReasonCodes.MemberTransferToOwnOrg);

    [Fact]
    public void requesting_a_transfer_to_an_outflow_side_organisation_is_rejected() =>
        Given(PlacedMember).When(Transfer with { ReceivingOrgId = PingliangMobileBranch }).ThenRejects(ReasonCodes.OrgWrongSide);

    [Fact]
    public void requesting_a_transfer_to_an_unknown_organisation_is_rejected() =>
        Given(PlacedMember).When(Transfer with { ReceivingOrgId = Unknown }).ThenRejects(ReasonCodes.OrgNotFound);

    [Fact]
    public void requesting_a_transfer_to_a_closed_organisation_is_rejected() =>
        Given(PlacedMember).When(Transfer with { ReceivingOrgId = ClosedBranch }).ThenRejects(ReasonCodes.OrgClosed);

    [Fact]
    public void requesting_a_transfer_of_a_lost_member_is_rejected() =>
        Given(LostMember).When(Transfer).ThenRejects(ReasonCodes.MemberLostContact);

    [Fact]
    public void requesting_a_transfer_without_an_episode_is_rejected() =>
        Given().When(Transfer).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Theory]
    [InlineData("no receiving org", ReasonCodes.MissingField)]
    [InlineData("no time", ReasonCodes.MissingField)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void requesting_a_transfer_with_bad_input_is_rejected(string @case, string code) =>
        Given(PlacedMember).When(@case switch
        {
            "no receiving org" => Transfer with { ReceivingOrgId = "" },
            "no time" => Transfer with { RequestedAt = default },
            "in the future" => Transfer with { RequestedAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
