namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static RegisterOutflow Register => new(
        CommandId, OutflowClerk, Now, MemberId, "李明", IdNumber, KongtongBranch, OutflowReason.Work, "620102",
        "兰州市城关区雁滩路 1906 号", "兰州建工集团", "13909330001", "PL-2025-0001", On(1, 6), On(1, 3));

    [Fact]
    public void registering_an_outflow_opens_the_first_episode()
    {
        var state = Given().When(Register).Then(Registered);

        state.Status.ShouldBe(MemberStatus.Outflowed);
        state.EpisodeCount.ShouldBe(1);
        state.FormalOrgId.ShouldBe(KongtongBranch);
        state.OpenEpisode!.Destination.Province.ShouldBe("62");
    }

    [Fact]
    public void registering_after_a_return_opens_the_next_episode()
    {
        var again = Register with { DepartedAt = On(8, 10), RegisteredAt = On(8, 9), DestinationRegion = "610113", DestinationPlace = "西安市雁塔区" };

        var state = Given(ReturnedMember).When(again).Then(Registered with
        {
            Episode = 2, Destination = RegionCode.Parse("610113"), DestinationPlace = "西安市雁塔区",
            DepartedAt = On(8, 10), RegisteredAt = On(8, 9),
        });

        state.EpisodeCount.ShouldBe(2);
        state.Status.ShouldBe(MemberStatus.Outflowed);
    }

    [Fact]
    public void registering_after_a_transfer_starts_from_the_new_formal_branch_even_on_the_inflow_side()
    {
        var again = Register with { Actor = ReceivingClerk, OutflowOrgId = ChengguanBranch, DepartedAt = On(8, 20), RegisteredAt = On(8, 20) };

        Given([.. TransferringMember, new TransferAccepted(MemberId, 1, ChengguanBranch, On(7, 10))])
            .When(again)
            .Then(Registered with { Episode = 2, OutflowOrgId = ChengguanBranch, DepartedAt = On(8, 20), RegisteredAt = On(8, 20) });
    }

    [Fact]
    public void registering_without_an_activity_card_or_employer_is_accepted() =>
        Given().When(Register with { ActivityCardNo = null, Employer = null, Reason = OutflowReason.Retirement })
            .Then(Registered with { ActivityCardNo = null, Employer = null, Reason = OutflowReason.Retirement });

    [Fact]
    public void registering_while_an_episode_is_open_is_rejected() =>
        Given(PlacedMember).When(Register).ThenRejects(ReasonCodes.MemberEpisodeAlreadyOpen);

    [Fact]
    public void registering_an_episode_that_starts_before_the_previous_one_closed_is_rejected() =>
        Given(ReturnedMember).When(Register with { DepartedAt = On(7, 20), RegisteredAt = On(8, 5) })
            .ThenRejects(ReasonCodes.MemberOverlapsPreviousEpisode);

    [Fact]
    public void registering_at_an_unknown_branch_is_rejected() =>
        Given().When(Register with { OutflowOrgId = Unknown }).ThenRejects(ReasonCodes.OrgNotFound);

    [Fact]
    public void registering_at_a_closed_branch_is_rejected() =>
        Given().When(Register with { OutflowOrgId = ClosedBranch }).ThenRejects(ReasonCodes.OrgClosed);

    [Fact]
    public void registering_at_an_organisation_that_is_not_a_branch_is_rejected() =>
        Given().When(Register with { OutflowOrgId = PingliangDept }).ThenRejects(ReasonCodes.OrgWrongKind);

    [Fact]
    public void a_command_for_another_member_is_rejected_as_the_wrong_stream() =>
        Given(ReturnedMember).When(Register with { MemberId = OtherMemberId, DepartedAt = On(8, 10), RegisteredAt = On(8, 10) })
            .ThenRejects(ReasonCodes.WrongStream);

    [Theory]
    [InlineData("empty command id", ReasonCodes.MissingField)]
    [InlineData("no now", ReasonCodes.MissingField)]
    [InlineData("no actor", ReasonCodes.MissingField)]
    [InlineData("actor without user", ReasonCodes.MissingField)]
    [InlineData("actor without organisation", ReasonCodes.MissingField)]
    [InlineData("actor on no side", ReasonCodes.InvalidValue)]
    [InlineData("empty member id", ReasonCodes.MissingField)]
    [InlineData("blank member id", ReasonCodes.MissingField)]
    [InlineData("oversized member id", ReasonCodes.FieldTooLong)]
    [InlineData("no name", ReasonCodes.MissingField)]
    [InlineData("oversized name", ReasonCodes.FieldTooLong)]
    [InlineData("no id number", ReasonCodes.MissingField)]
    [InlineData("short id number", ReasonCodes.MemberInvalidIdNumber)]
    [InlineData("id number with letters", ReasonCodes.MemberInvalidIdNumber)]
    [InlineData("no outflow org", ReasonCodes.MissingField)]
    [InlineData("unknown reason", ReasonCodes.InvalidValue)]
    [InlineData("no destination region", ReasonCodes.MissingField)]
    [InlineData("five-digit region", ReasonCodes.MemberInvalidRegionCode)]
    [InlineData("seven-digit region", ReasonCodes.MemberInvalidRegionCode)]
    [InlineData("region with letters", ReasonCodes.MemberInvalidRegionCode)]
    [InlineData("region of no province", ReasonCodes.MemberInvalidRegionCode)]
    [InlineData("no destination place", ReasonCodes.MissingField)]
    [InlineData("oversized destination place", ReasonCodes.FieldTooLong)]
    [InlineData("oversized employer", ReasonCodes.FieldTooLong)]
    [InlineData("no phone", ReasonCodes.MissingField)]
    [InlineData("phone with letters", ReasonCodes.MemberInvalidPhone)]
    [InlineData("oversized activity card", ReasonCodes.FieldTooLong)]
    [InlineData("no departure", ReasonCodes.MissingField)]
    [InlineData("departure in the future", ReasonCodes.TimeInFuture)]
    [InlineData("registration in the future", ReasonCodes.TimeInFuture)]
    public void registering_with_bad_input_is_rejected(string @case, string code) =>
        Given().When(@case switch
        {
            "empty command id" => Register with { CommandId = Guid.Empty },
            "no now" => Register with { Now = default },
            "no actor" => Register with { Actor = null! },
            "actor without user" => Register with { Actor = OutflowClerk with { UserId = "" } },
            "actor without organisation" => Register with { Actor = OutflowClerk with { OrganizationId = " " } },
            "actor on no side" => Register with { Actor = OutflowClerk with { Side = (Side)7 } },
            "empty member id" => Register with { MemberId = "" },
            "blank member id" => Register with { MemberId = "   " },
            "oversized member id" => Register with { MemberId = new string('m', 65) },
            "no name" => Register with { MemberName = null! },
            "oversized name" => Register with { MemberName = new string('李', 201) },
            "no id number" => Register with { IdNumber = "" },
            "short id number" => Register with { IdNumber = "62080219900315001" },
            "id number with letters" => Register with { IdNumber = "62080219900315A017" },
            "no outflow org" => Register with { OutflowOrgId = "" },
            "unknown reason" => Register with { Reason = (OutflowReason)42 },
            "no destination region" => Register with { DestinationRegion = "" },
            "five-digit region" => Register with { DestinationRegion = "62010" },
            "seven-digit region" => Register with { DestinationRegion = "6201021" },
            "region with letters" => Register with { DestinationRegion = "62O102" },
            "region of no province" => Register with { DestinationRegion = "990102" },
            "no destination place" => Register with { DestinationPlace = " " },
            "oversized destination place" => Register with { DestinationPlace = new string('路', 201) },
            "oversized employer" => Register with { Employer = new string('司', 201) },
            "no phone" => Register with { ContactPhone = "" },
            "phone with letters" => Register with { ContactPhone = "139-O933-0001" },
            "oversized activity card" => Register with { ActivityCardNo = new string('9', 201) },
            "no departure" => Register with { DepartedAt = default },
            "departure in the future" => Register with { DepartedAt = Now.AddDays(1) },
            "registration in the future" => Register with { RegisteredAt = Now + DomainSettings.Default.ClockSkew + TimeSpan.FromSeconds(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);

    [Fact]
    public void a_text_at_the_maximum_length_is_accepted() =>
        Given().When(Register with { DestinationPlace = new string('路', 200) })
            .Then(Registered with { DestinationPlace = new string('路', 200) });

    [Fact]
    public void the_maximum_text_length_is_a_setting() =>
        Given().When(Register).With(DomainSettings.Default with { MaxTextLength = 10 }).ThenRejects(ReasonCodes.FieldTooLong);
}
