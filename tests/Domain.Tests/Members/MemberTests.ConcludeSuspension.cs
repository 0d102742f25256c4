namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static ConcludeSuspension Conclude => new(CommandId, OutflowClerk, Later, MemberId, On(2027, 11, 1));

    private static readonly SuspensionConcluded Concluded = new(MemberId, 1, On(2027, 11, 1));

    [Fact]
    public void concluding_after_the_window_ends_the_membership_for_good()
    {
        var state = Given(SuspendedMember).When(Conclude).Then(Concluded);

        state.Status.ShouldBe(MemberStatus.MembershipEnded);
        state.OpenEpisode.ShouldBeNull();
        Member.IsTerminal(state).ShouldBeTrue();
    }

    [Fact]
    public void concluding_while_still_restorable_is_rejected() =>
        Given(SuspendedMember).When(Conclude with { ConcludedAt = On(10, 20).AddDays(730) })
            .ThenRejects(ReasonCodes.MemberSuspensionStillRestorable);

    [Fact]
    public void concluding_a_member_who_is_not_suspended_is_rejected() =>
        Given(LostMember).When(Conclude).ThenRejects(ReasonCodes.MemberNotSuspended);

    [Fact]
    public void a_conclusion_by_an_organisation_not_holding_the_formal_relationship_is_rejected() =>
        Given(SuspendedMember).When(Conclude with { Actor = InflowClerk }).ThenRejects(ReasonCodes.ActorNotResponsible);

    [Fact]
    public void concluding_without_an_episode_is_rejected() =>
        Given().When(Conclude).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Theory]
    [InlineData("no time", ReasonCodes.MissingField)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void concluding_with_bad_input_is_rejected(string @case, string code) =>
        Given(SuspendedMember).When(@case switch
        {
            "no time" => Conclude with { ConcludedAt = default },
            "in the future" => Conclude with { ConcludedAt = Later.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);

    [Fact]
    public void every_command_after_the_membership_ended_is_rejected()
    {
        IMemberCommand[] commands =
        [
            Register with { Now = Later, DepartedAt = Later, RegisteredAt = Later }, Report, Place, Contact, Activity, CareVisit,
            Appraisal, Change, Move, Transfer, Accept, Refuse, Return, MarkLost, Found, Suspend, Restore, Conclude,
        ];
        foreach (var command in commands)
            Given([.. SuspendedMember, Concluded]).When(command).ThenRejects(ReasonCodes.MemberMembershipEnded);
    }
}
