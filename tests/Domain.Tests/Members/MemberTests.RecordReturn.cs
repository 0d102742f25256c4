namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static RecordReturn Return => new(CommandId, OutflowClerk, Now, MemberId, true, On(8, 1));

    [Fact]
    public void recording_a_return_closes_the_episode_with_the_card_handed_in()
    {
        var state = Given(PlacedMember).When(Return).Then(ReturnedHome);

        state.Status.ShouldBe(MemberStatus.Returned);
        state.OpenEpisode.ShouldBeNull();
        state.Episode!.CardHandedIn.ShouldBeTrue();
        Member.IsTerminal(state).ShouldBeFalse();
    }

    [Fact]
    public void a_return_before_reporting_is_accepted() =>
        Given(Outflowed).When(Return with { CardHandedIn = false }).Then(ReturnedHome with { CardHandedIn = false });

    [Fact]
    public void a_return_recorded_by_an_organisation_not_holding_the_formal_relationship_is_rejected() =>
        Given(PlacedMember).When(Return with { Actor = InflowClerk }).ThenRejects(ReasonCodes.ActorNotResponsible);

    [Fact]
    public void a_return_while_a_transfer_is_pending_is_rejected() =>
        Given(TransferringMember).When(Return).ThenRejects(ReasonCodes.MemberTransferPending);

    [Fact]
    public void a_return_of_a_lost_member_is_rejected() =>
        Given(LostMember).When(Return).ThenRejects(ReasonCodes.MemberLostContact);

    [Fact]
    public void a_second_return_is_rejected() =>
        Given(ReturnedMember).When(Return).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Fact]
    public void a_return_without_an_episode_is_rejected() =>
        Given().When(Return).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Theory]
    [InlineData("no time", ReasonCodes.MissingField)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void a_return_with_bad_input_is_rejected(string @case, string code) =>
        Given(PlacedMember).When(@case switch
        {
            "no time" => Return with { ReturnedAt = default },
            "in the future" => Return with { ReturnedAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
