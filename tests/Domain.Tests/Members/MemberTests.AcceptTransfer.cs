namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static AcceptTransfer Accept => new(CommandId, ReceivingClerk, Now, MemberId, On(7, 10));

    [Fact]
    public void the_receiving_org_accepting_closes_the_episode_and_moves_the_formal_relationship()
    {
        var state = Given(TransferringMember).When(Accept).Then(new TransferAccepted(MemberId, 1, ChengguanBranch, On(7, 10)));

        state.Status.ShouldBe(MemberStatus.Transferred);
        state.FormalOrgId.ShouldBe(ChengguanBranch);
        state.OpenEpisode.ShouldBeNull();
        state.Episode!.ClosedAt.ShouldBe(On(7, 10));
        Member.IsTerminal(state).ShouldBeFalse();
    }

    [Fact]
    public void another_organisation_accepting_is_rejected() =>
        Given(TransferringMember).When(Accept with { Actor = InflowClerk }).ThenRejects(ReasonCodes.MemberNotReceivingOrg);

    [Fact]
    public void the_origin_accepting_its_own_request_is_rejected() =>
        Given(TransferringMember).When(Accept with { Actor = OutflowClerk }).ThenRejects(ReasonCodes.MemberNotReceivingOrg);

    [Fact]
    public void accepting_when_no_transfer_is_pending_is_rejected() =>
        Given(PlacedMember).When(Accept).ThenRejects(ReasonCodes.MemberNoTransferPending);

    [Fact]
    public void accepting_after_the_episode_closed_is_rejected() =>
        Given([.. TransferringMember, new TransferAccepted(MemberId, 1, ChengguanBranch, On(7, 10))]).When(Accept)
            .ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Theory]
    [InlineData("no time", ReasonCodes.MissingField)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void accepting_with_bad_input_is_rejected(string @case, string code) =>
        Given(TransferringMember).When(@case switch
        {
            "no time" => Accept with { AcceptedAt = default },
            "in the future" => Accept with { AcceptedAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
