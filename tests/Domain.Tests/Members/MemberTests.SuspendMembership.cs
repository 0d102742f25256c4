namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static SuspendMembership Suspend => new(CommandId, OutflowClerk, Later, MemberId, On(10, 20));

    [Fact]
    public void suspending_after_six_months_lost_is_accepted()
    {
        var state = Given(LostMember).When(Suspend).Then(Suspended);

        state.Status.ShouldBe(MemberStatus.Suspended);
    }

    [Fact]
    public void suspending_exactly_at_the_threshold_is_accepted() =>
        Given(LostMember).When(Suspend with { SuspendedAt = On(4, 15).AddDays(183) })
            .Then(Suspended with { SuspendedAt = On(4, 15).AddDays(183) });

    [Fact]
    public void suspending_a_day_before_the_threshold_is_rejected() =>
        Given(LostMember).When(Suspend with { SuspendedAt = On(4, 15).AddDays(182) }).ThenRejects(ReasonCodes.MemberLostTooRecently);

    [Fact]
    public void suspending_a_member_who_is_not_lost_is_rejected() =>
        Given(PlacedMember).When(Suspend).ThenRejects(ReasonCodes.MemberNotLost);

    [Fact]
    public void suspending_a_suspended_member_again_is_nothing_to_do() =>
        Given(SuspendedMember).When(Suspend with { SuspendedAt = On(11, 1) }).ThenNothing();

    [Fact]
    public void a_suspension_by_an_organisation_not_holding_the_formal_relationship_is_rejected() =>
        Given(LostMember).When(Suspend with { Actor = InflowClerk }).ThenRejects(ReasonCodes.ActorNotResponsible);

    [Fact]
    public void suspending_without_an_episode_is_rejected() =>
        Given().When(Suspend).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Theory]
    [InlineData("no time", ReasonCodes.MissingField)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void suspending_with_bad_input_is_rejected(string @case, string code) =>
        Given(LostMember).When(@case switch
        {
            "no time" => Suspend with { SuspendedAt = default },
            "in the future" => Suspend with { SuspendedAt = Later.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
