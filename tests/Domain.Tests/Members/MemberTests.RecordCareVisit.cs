namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static RecordCareVisit CareVisit => new(CommandId, InflowClerk, Now, MemberId, CareVisitKind.FestivalVisit, "春节慰问", On(1, 28));

    private static readonly CareVisitRecorded Visited = new(MemberId, 1, Side.Inflow, CareVisitKind.FestivalVisit, "春节慰问", On(1, 28));

    [Fact]
    public void recording_a_care_visit_records_the_actors_side()
    {
        var state = Given(ReportedMember).When(CareVisit).Then(Visited);

        state.OpenEpisode!.LastCareVisitAt.ShouldBe(On(1, 28));
    }

    [Fact]
    public void a_red_parcel_from_the_outflow_side_is_recorded_as_outflow() =>
        Given(ReportedMember).When(CareVisit with { Actor = OutflowClerk, Kind = CareVisitKind.RedParcel, Note = null })
            .Then(Visited with { Side = Side.Outflow, Kind = CareVisitKind.RedParcel, Note = null });

    [Fact]
    public void recording_a_care_visit_without_an_episode_is_rejected() =>
        Given().When(CareVisit).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Fact]
    public void recording_a_care_visit_for_a_suspended_member_is_rejected() =>
        Given(SuspendedMember).When(CareVisit with { Now = Later, VisitedAt = Later }).ThenRejects(ReasonCodes.MemberSuspended);

    [Theory]
    [InlineData("unknown kind", ReasonCodes.InvalidValue)]
    [InlineData("oversized note", ReasonCodes.FieldTooLong)]
    [InlineData("no time", ReasonCodes.MissingField)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void recording_a_care_visit_with_bad_input_is_rejected(string @case, string code) =>
        Given(ReportedMember).When(@case switch
        {
            "unknown kind" => CareVisit with { Kind = (CareVisitKind)17 },
            "oversized note" => CareVisit with { Note = new string('慰', 201) },
            "no time" => CareVisit with { VisitedAt = default },
            "in the future" => CareVisit with { VisitedAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
