namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static RecordActivity Activity =>
        new(CommandId, InflowClerk, Now, MemberId, ChengguanBranch, ActivityKind.ThemePartyDay, AttendanceMode.OnSite, On(3, 5));

    private static readonly ActivityAttended Attended =
        new(MemberId, 1, ChengguanBranch, ActivityKind.ThemePartyDay, AttendanceMode.OnSite, On(3, 5));

    [Fact]
    public void recording_an_activity_keeps_the_organisation_kind_and_mode()
    {
        var state = Given(PlacedMember).When(Activity).Then(Attended);

        state.OpenEpisode!.LastActivityAt.ShouldBe(On(3, 5));
    }

    [Fact]
    public void an_online_party_lecture_run_by_the_outflow_side_is_recorded() =>
        Given(PlacedMember).When(Activity with { OrganizationId = KongtongBranch, Kind = ActivityKind.PartyLecture, Mode = AttendanceMode.Online })
            .Then(Attended with { OrganizationId = KongtongBranch, Kind = ActivityKind.PartyLecture, Mode = AttendanceMode.Online });

    [Fact]
    public void recording_an_activity_without_an_episode_is_rejected() =>
        Given().When(Activity).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Fact]
    public void recording_an_activity_for_a_lost_member_is_rejected() =>
        Given(LostMember).When(Activity with { AttendedAt = On(5, 1) }).ThenRejects(ReasonCodes.MemberLostContact);

    [Fact]
    public void recording_an_activity_by_an_unknown_organisation_is_rejected() =>
        Given(PlacedMember).When(Activity with { OrganizationId = Unknown }).ThenRejects(ReasonCodes.OrgNotFound);

    [Fact]
    public void recording_an_activity_by_a_closed_organisation_is_rejected() =>
        Given(PlacedMember).When(Activity with { OrganizationId = ClosedBranch }).ThenRejects(ReasonCodes.OrgClosed);

    [Theory]
    [InlineData("no organisation", ReasonCodes.MissingField)]
    [InlineData("unknown kind", ReasonCodes.InvalidValue)]
    [InlineData("unknown mode", ReasonCodes.InvalidValue)]
    [InlineData("no time", ReasonCodes.MissingField)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void recording_an_activity_with_bad_input_is_rejected(string @case, string code) =>
        Given(PlacedMember).When(@case switch
        {
            "no organisation" => Activity with { OrganizationId = "" },
            "unknown kind" => Activity with { Kind = (ActivityKind)99 },
            "unknown mode" => Activity with { Mode = (AttendanceMode)2 },
            "no time" => Activity with { AttendedAt = default },
            "in the future" => Activity with { AttendedAt = Now.AddDays(30) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
