namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static MarkFound Found => new(CommandId, InflowClerk, Now, MemberId, On(6, 1));

    [Fact]
    public void finding_a_lost_member_puts_them_back_where_they_were()
    {
        var state = Given(LostMember).When(Found).Then(new FoundAgain(MemberId, 1, On(6, 1)));

        state.Status.ShouldBe(MemberStatus.Placed);
        state.OpenEpisode!.LostAt.ShouldBeNull();
    }

    [Fact]
    public void finding_a_member_who_is_not_lost_is_rejected() =>
        Given(PlacedMember).When(Found).ThenRejects(ReasonCodes.MemberNotLost);

    [Fact]
    public void finding_a_suspended_member_is_rejected_in_favour_of_restoring() =>
        Given(SuspendedMember).When(Found with { Now = Later, FoundAt = Later }).ThenRejects(ReasonCodes.MemberSuspended);

    [Fact]
    public void finding_without_an_episode_is_rejected() =>
        Given().When(Found).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Theory]
    [InlineData("no time", ReasonCodes.MissingField)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void finding_with_bad_input_is_rejected(string @case, string code) =>
        Given(LostMember).When(@case switch
        {
            "no time" => Found with { FoundAt = default },
            "in the future" => Found with { FoundAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
