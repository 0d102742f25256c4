namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static LogContact Contact => new(CommandId, OutflowClerk, Now, MemberId, ContactMethod.Phone, "在兰州工作稳定", On(3, 1));

    [Fact]
    public void logging_a_contact_records_the_actors_side()
    {
        var state = Given(PlacedMember).When(Contact).Then(Contacted);

        state.OpenEpisode!.LastContactAt.ShouldBe(On(3, 1));
    }

    [Fact]
    public void a_contact_by_the_inflow_side_is_recorded_as_inflow() =>
        Given(PlacedMember).When(Contact with { Actor = InflowClerk, Method = ContactMethod.Visit, Note = null })
            .Then(Contacted with { Side = Side.Inflow, Method = ContactMethod.Visit, Note = null });

    [Fact]
    public void a_contact_logged_late_does_not_move_the_last_contact_back()
    {
        var state = Given([.. PlacedMember, Contacted]).When(Contact with { ContactedAt = On(2, 10) })
            .Then(Contacted with { ContactedAt = On(2, 10) });

        state.OpenEpisode!.LastContactAt.ShouldBe(On(3, 1));
    }

    [Fact]
    public void a_contact_while_a_transfer_is_pending_is_accepted() =>
        Given(TransferringMember).When(Contact with { ContactedAt = On(7, 5) }).Then(Contacted with { ContactedAt = On(7, 5) });

    [Fact]
    public void a_contact_before_the_member_reported_is_accepted() =>
        Given(Outflowed).When(Contact with { ContactedAt = On(1, 10) }).Then(Contacted with { ContactedAt = On(1, 10) });

    [Fact]
    public void logging_a_contact_without_an_episode_is_rejected() =>
        Given().When(Contact).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Fact]
    public void logging_a_contact_with_a_lost_member_is_rejected() =>
        Given(LostMember).When(Contact with { ContactedAt = On(5, 1) }).ThenRejects(ReasonCodes.MemberLostContact);

    [Fact]
    public void logging_a_contact_with_a_suspended_member_is_rejected() =>
        Given(SuspendedMember).When(Contact with { Now = Later, ContactedAt = Later }).ThenRejects(ReasonCodes.MemberSuspended);

    [Fact]
    public void logging_a_contact_before_the_episode_is_rejected() =>
        Given(PlacedMember).When(Contact with { ContactedAt = On(2024, 12, 31) }).ThenRejects(ReasonCodes.MemberTimeBeforeEpisode);

    [Theory]
    [InlineData("unknown method", ReasonCodes.InvalidValue)]
    [InlineData("oversized note", ReasonCodes.FieldTooLong)]
    [InlineData("no contact time", ReasonCodes.MissingField)]
    [InlineData("contact in the future", ReasonCodes.TimeInFuture)]
    public void logging_a_contact_with_bad_input_is_rejected(string @case, string code) =>
        Given(PlacedMember).When(@case switch
        {
            "unknown method" => Contact with { Method = (ContactMethod)(-1) },
            "oversized note" => Contact with { Note = new string('话', 201) },
            "no contact time" => Contact with { ContactedAt = default },
            "contact in the future" => Contact with { ContactedAt = Now.AddHours(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
