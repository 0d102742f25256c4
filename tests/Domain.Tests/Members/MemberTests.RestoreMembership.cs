namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static RestoreMembership Restore => new(CommandId, OutflowClerk, Later, MemberId, On(2026, 3, 1));

    [Fact]
    public void restoring_within_two_years_ends_the_suspension_and_the_loss_of_contact()
    {
        var state = Given(SuspendedMember).When(Restore).Then(new MembershipRestored(MemberId, 1, On(2026, 3, 1)));

        state.Status.ShouldBe(MemberStatus.Placed);
        state.OpenEpisode!.SuspendedAt.ShouldBeNull();
        state.OpenEpisode.LostAt.ShouldBeNull();
    }

    [Fact]
    public void restoring_on_the_last_day_of_the_window_is_accepted() =>
        Given(SuspendedMember).When(Restore with { RestoredAt = On(10, 20).AddDays(730) })
            .Then(new MembershipRestored(MemberId, 1, On(10, 20).AddDays(730)));

    [Fact]
    public void restoring_after_the_window_is_rejected() =>
        Given(SuspendedMember).When(Restore with { RestoredAt = On(10, 20).AddDays(731) }).ThenRejects(ReasonCodes.MemberSuspensionExpired);

    [Fact]
    public void restoring_a_member_who_is_not_suspended_is_rejected() =>
        Given(LostMember).When(Restore).ThenRejects(ReasonCodes.MemberNotSuspended);

    [Fact]
    public void a_restoration_by_an_organisation_not_holding_the_formal_relationship_is_rejected() =>
        Given(SuspendedMember).When(Restore with { Actor = InflowClerk }).ThenRejects(ReasonCodes.ActorNotResponsible);

    [Fact]
    public void restoring_without_an_episode_is_rejected() =>
        Given().When(Restore).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Theory]
    [InlineData("no time", ReasonCodes.MissingField)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void restoring_with_bad_input_is_rejected(string @case, string code) =>
        Given(SuspendedMember).When(@case switch
        {
            "no time" => Restore with { RestoredAt = default },
            "in the future" => Restore with { RestoredAt = Later.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
