namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static MarkLostContact MarkLost => new(CommandId, OutflowClerk, Now, MemberId, On(4, 15));

    [Fact]
    public void marking_a_member_lost_after_a_month_without_contact_is_accepted()
    {
        var state = Given([.. PlacedMember, Contacted]).When(MarkLost).Then(Lost);

        state.Status.ShouldBe(MemberStatus.LostContact);
    }

    [Fact]
    public void marking_a_lost_member_lost_again_is_nothing_to_do() =>
        Given(LostMember).When(MarkLost with { LostAt = On(5, 1) }).ThenNothing();

    [Fact]
    public void marking_a_member_lost_within_a_month_of_the_last_contact_is_rejected() =>
        Given([.. PlacedMember, Contacted]).When(MarkLost with { LostAt = On(3, 20) }).ThenRejects(ReasonCodes.MemberRecentlyContacted);

    [Fact]
    public void a_member_never_contacted_counts_from_the_start_of_the_episode() =>
        Given(Outflowed).When(MarkLost with { LostAt = On(1, 20) }).ThenRejects(ReasonCodes.MemberRecentlyContacted);

    [Fact]
    public void the_contact_threshold_is_a_setting() =>
        Given([.. PlacedMember, Contacted]).When(MarkLost with { LostAt = On(3, 20) })
            .With(DomainSettings.Default with { ContactOverdue = TimeSpan.FromDays(7) })
            .Then(Lost with { LostAt = On(3, 20) });

    [Fact]
    public void marking_a_member_lost_while_a_transfer_is_pending_is_rejected() =>
        Given(TransferringMember).When(MarkLost with { LostAt = On(8, 10) }).ThenRejects(ReasonCodes.MemberTransferPending);

    [Fact]
    public void marking_a_suspended_member_lost_is_rejected() =>
        Given(SuspendedMember).When(MarkLost with { Now = Later, LostAt = Later }).ThenRejects(ReasonCodes.MemberSuspended);

    [Fact]
    public void marking_a_member_lost_without_an_episode_is_rejected() =>
        Given(ReturnedMember).When(MarkLost).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Theory]
    [InlineData("no time", ReasonCodes.MissingField)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    [InlineData("before the episode", ReasonCodes.MemberTimeBeforeEpisode)]
    public void marking_lost_with_bad_input_is_rejected(string @case, string code) =>
        Given(PlacedMember).When(@case switch
        {
            "no time" => MarkLost with { LostAt = default },
            "in the future" => MarkLost with { LostAt = Now.AddDays(1) },
            "before the episode" => MarkLost with { LostAt = On(2024, 6, 1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
