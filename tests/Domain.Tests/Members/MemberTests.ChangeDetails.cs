namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static ChangeDetails Change => new(CommandId, InflowClerk, Now, MemberId, "13909330002", null, null, On(4, 1));

    [Fact]
    public void changing_the_phone_records_only_the_phone()
    {
        var state = Given(PlacedMember).When(Change).Then(new DetailsChanged(MemberId, 1, "13909330002", null, null, On(4, 1)));

        state.OpenEpisode!.ContactPhone.ShouldBe("13909330002");
        state.OpenEpisode.Employer.ShouldBe("兰州建工集团");
    }

    [Fact]
    public void fields_that_did_not_change_are_left_out_of_the_event()
    {
        var state = Given(PlacedMember)
            .When(Change with { ContactPhone = "13909330001", Employer = "兰州新区物流园", Address = "兰州市城关区南关什字 8 号" })
            .Then(new DetailsChanged(MemberId, 1, null, "兰州新区物流园", "兰州市城关区南关什字 8 号", On(4, 1)));

        state.OpenEpisode!.Address.ShouldBe("兰州市城关区南关什字 8 号");
    }

    [Fact]
    public void changing_to_the_same_details_is_nothing_to_do() =>
        Given(PlacedMember).When(Change with { ContactPhone = "13909330001", Employer = "兰州建工集团" }).ThenNothing();

    [Fact]
    public void changing_details_without_an_episode_is_rejected() =>
        Given().When(Change).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Fact]
    public void changing_details_of_a_lost_member_is_rejected() =>
        Given(LostMember).When(Change with { ChangedAt = On(5, 1) }).ThenRejects(ReasonCodes.MemberLostContact);

    [Theory]
    [InlineData("nothing given", ReasonCodes.MissingField)]
    [InlineData("bad phone", ReasonCodes.MemberInvalidPhone)]
    [InlineData("too short a phone", ReasonCodes.MemberInvalidPhone)]
    [InlineData("oversized employer", ReasonCodes.FieldTooLong)]
    [InlineData("oversized address", ReasonCodes.FieldTooLong)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void changing_details_with_bad_input_is_rejected(string @case, string code) =>
        Given(PlacedMember).When(@case switch
        {
            "nothing given" => Change with { ContactPhone = null },
            "bad phone" => Change with { ContactPhone = "call me" },
            "too short a phone" => Change with { ContactPhone = "110" },
            "oversized employer" => Change with { Employer = new string('司', 201) },
            "oversized address" => Change with { Address = new string('址', 201) },
            "in the future" => Change with { ChangedAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
