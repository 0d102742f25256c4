namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static RejectTransfer Refuse => new(CommandId, ReceivingClerk, Now, MemberId, "介绍信信息不全", On(7, 8));

    [Fact]
    public void the_receiving_org_rejecting_puts_the_member_back_where_they_were()
    {
        var state = Given(TransferringMember).When(Refuse)
            .Then(new TransferRejected(MemberId, 1, ChengguanBranch, "介绍信信息不全", On(7, 8)));

        state.Status.ShouldBe(MemberStatus.Placed);
        state.OpenEpisode!.TransferToOrgId.ShouldBeNull();
    }

    [Fact]
    public void another_organisation_rejecting_is_rejected() =>
        Given(TransferringMember).When(Refuse with { Actor = InflowClerk }).ThenRejects(ReasonCodes.MemberNotReceivingOrg);

    [Fact]
    public void rejecting_when_no_transfer_is_pending_is_rejected() =>
        Given(PlacedMember).When(Refuse).ThenRejects(ReasonCodes.MemberNoTransferPending);

    [Fact]
    public void rejecting_without_an_episode_is_rejected() =>
        Given().When(Refuse).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Theory]
    [InlineData("no reason", ReasonCodes.MissingField)]
    [InlineData("oversized reason", ReasonCodes.FieldTooLong)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void rejecting_with_bad_input_is_rejected(string @case, string code) =>
        Given(TransferringMember).When(@case switch
        {
            "no reason" => Refuse with { Reason = "" },
            "oversized reason" => Refuse with { Reason = new string('因', 201) },
            "in the future" => Refuse with { RejectedAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
