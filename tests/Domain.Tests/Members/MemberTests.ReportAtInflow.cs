namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static ReportAtInflow Report => new(CommandId, InflowClerk, Now, MemberId, ChengguanPoint, ReportChannel.InPerson, On(1, 20));

    [Fact]
    public void reporting_at_an_inflow_registration_point_records_the_place_and_channel()
    {
        var state = Given(Outflowed).When(Report).Then(Reported);

        state.Status.ShouldBe(MemberStatus.Reported);
        state.OpenEpisode!.InflowOrgId.ShouldBe(ChengguanPoint);
        state.OpenEpisode.ReportChannel.ShouldBe(ReportChannel.InPerson);
    }

    [Fact]
    public void reporting_through_the_app_is_recorded_as_such() =>
        Given(Outflowed).When(Report with { Channel = ReportChannel.App }).Then(Reported with { Channel = ReportChannel.App });

    [Fact]
    public void reporting_at_the_outflow_sides_liaison_station_in_the_destination_city_is_accepted() =>
        Given(Outflowed).When(Report with { InflowOrgId = PingliangLiaisonStation })
            .Then(Reported with { InflowOrgId = PingliangLiaisonStation });

    [Fact]
    public void reporting_at_an_outflow_side_branch_is_rejected() =>
        Given(Outflowed).When(Report with { InflowOrgId = KongtongBranch }).ThenRejects(ReasonCodes.OrgWrongSide);

    [Fact]
    public void reporting_twice_at_the_same_place_is_rejected() =>
        Given(ReportedMember).When(Report).ThenRejects(ReasonCodes.MemberAlreadyReported);

    [Fact]
    public void reporting_at_another_place_replaces_the_report_and_its_placement()
    {
        var state = Given(PlacedMember).When(Report with { InflowOrgId = ChengguanCommunity, ReportedAt = On(3, 1) })
            .Then(Reported with { InflowOrgId = ChengguanCommunity, ReportedAt = On(3, 1) });

        state.Status.ShouldBe(MemberStatus.Reported);
        state.OpenEpisode!.BranchId.ShouldBeNull();
    }

    [Fact]
    public void reporting_again_at_the_same_place_after_moving_on_is_accepted() =>
        Given([.. PlacedMember, new MovedOn(MemberId, 1, RegionCode.Parse("620103"), "兰州市七里河区", On(5, 1))])
            .When(Report with { ReportedAt = On(5, 3) })
            .Then(Reported with { ReportedAt = On(5, 3) });

    [Fact]
    public void reporting_without_an_episode_is_rejected() =>
        Given().When(Report).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Fact]
    public void reporting_after_the_episode_closed_is_rejected() =>
        Given(ReturnedMember).When(Report).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Fact]
    public void reporting_before_the_episode_started_is_rejected() =>
        Given(Outflowed).When(Report with { ReportedAt = On(1, 2) }).ThenRejects(ReasonCodes.MemberTimeBeforeEpisode);

    [Fact]
    public void reporting_while_lost_is_rejected() =>
        Given([Registered, Lost]).When(Report with { ReportedAt = On(4, 20) }).ThenRejects(ReasonCodes.MemberLostContact);

    [Fact]
    public void reporting_while_suspended_is_rejected() =>
        Given([Registered, Lost, Suspended]).When(Report with { Now = Later, ReportedAt = Later }).ThenRejects(ReasonCodes.MemberSuspended);

    [Fact]
    public void reporting_while_a_transfer_is_pending_is_rejected() =>
        Given(TransferringMember).When(Report with { InflowOrgId = ChengguanCommunity, ReportedAt = On(7, 2) })
            .ThenRejects(ReasonCodes.MemberTransferPending);

    [Fact]
    public void reporting_at_an_unknown_place_is_rejected() =>
        Given(Outflowed).When(Report with { InflowOrgId = Unknown }).ThenRejects(ReasonCodes.OrgNotFound);

    [Fact]
    public void reporting_at_a_closed_place_is_rejected() =>
        Given(Outflowed).When(Report with { InflowOrgId = ClosedBranch }).ThenRejects(ReasonCodes.OrgClosed);

    [Theory]
    [InlineData("no member id", ReasonCodes.MissingField)]
    [InlineData("no place", ReasonCodes.MissingField)]
    [InlineData("oversized place id", ReasonCodes.FieldTooLong)]
    [InlineData("unknown channel", ReasonCodes.InvalidValue)]
    [InlineData("no report time", ReasonCodes.MissingField)]
    [InlineData("report time in the future", ReasonCodes.TimeInFuture)]
    public void reporting_with_bad_input_is_rejected(string @case, string code) =>
        Given(Outflowed).When(@case switch
        {
            "no member id" => Report with { MemberId = "" },
            "no place" => Report with { InflowOrgId = null! },
            "oversized place id" => Report with { InflowOrgId = new string('p', 65) },
            "unknown channel" => Report with { Channel = (ReportChannel)9 },
            "no report time" => Report with { ReportedAt = default },
            "report time in the future" => Report with { ReportedAt = Now + DomainSettings.Default.ClockSkew + TimeSpan.FromSeconds(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
