namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static MoveOn Move => new(CommandId, OutflowClerk, Now, MemberId, "610113", "西安市雁塔区", On(5, 1));

    private static readonly MovedOn MovedToXian = new(MemberId, 1, RegionCode.Parse("610113"), "西安市雁塔区", On(5, 1));

    [Fact]
    public void moving_on_sets_the_new_destination_and_asks_for_a_new_report()
    {
        var state = Given(PlacedMember).When(Move).Then(MovedToXian);

        state.Status.ShouldBe(MemberStatus.Outflowed);
        state.OpenEpisode!.Destination.ShouldBe(RegionCode.Parse("610113"));
        state.OpenEpisode.ReportedAt.ShouldBeNull();
        state.OpenEpisode.BranchId.ShouldBeNull();
        state.OpenEpisode.AwaitingReportSince.ShouldBe(On(5, 1));
    }

    [Fact]
    public void moving_on_before_reporting_is_accepted() =>
        Given(Outflowed).When(Move).Then(MovedToXian);

    [Fact]
    public void moving_to_the_current_destination_is_nothing_to_do() =>
        Given(PlacedMember).When(Move with { DestinationRegion = "620102", DestinationPlace = "兰州市城关区雁滩路 1906 号" }).ThenNothing();

    [Fact]
    public void moving_on_while_a_transfer_is_pending_is_rejected() =>
        Given(TransferringMember).When(Move with { MovedAt = On(7, 5) }).ThenRejects(ReasonCodes.MemberTransferPending);

    [Fact]
    public void moving_on_without_an_episode_is_rejected() =>
        Given(ReturnedMember).When(Move).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Fact]
    public void moving_on_while_lost_is_rejected() =>
        Given(LostMember).When(Move).ThenRejects(ReasonCodes.MemberLostContact);

    [Theory]
    [InlineData("no region", ReasonCodes.MissingField)]
    [InlineData("ill-formed region", ReasonCodes.MemberInvalidRegionCode)]
    [InlineData("region of no province", ReasonCodes.MemberInvalidRegionCode)]
    [InlineData("no place", ReasonCodes.MissingField)]
    [InlineData("oversized place", ReasonCodes.FieldTooLong)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void moving_on_with_bad_input_is_rejected(string @case, string code) =>
        Given(PlacedMember).When(@case switch
        {
            "no region" => Move with { DestinationRegion = null! },
            "ill-formed region" => Move with { DestinationRegion = "61-113" },
            "region of no province" => Move with { DestinationRegion = "000000" },
            "no place" => Move with { DestinationPlace = "" },
            "oversized place" => Move with { DestinationPlace = new string('路', 201) },
            "in the future" => Move with { MovedAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
