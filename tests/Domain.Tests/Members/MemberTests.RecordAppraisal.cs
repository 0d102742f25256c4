namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    private static RecordAppraisal Appraisal =>
        new(CommandId, InflowClerk, Now, MemberId, 2025, AppraisalResult.Qualified, ChengguanBranch, On(6, 30));

    private static readonly AppraisalRecorded Appraised = new(MemberId, 1, 2025, AppraisalResult.Qualified, ChengguanBranch, On(6, 30));

    [Fact]
    public void recording_an_appraisal_keeps_the_year_result_and_organisation()
    {
        var state = Given(PlacedMember).When(Appraisal).Then(Appraised);

        state.OpenEpisode!.Appraisals[2025].ShouldBe(AppraisalResult.Qualified);
    }

    [Fact]
    public void the_same_appraisal_again_is_nothing_to_do() =>
        Given([.. PlacedMember, Appraised]).When(Appraisal).ThenNothing();

    [Fact]
    public void a_second_appraisal_for_the_same_year_is_rejected() =>
        Given([.. PlacedMember, Appraised]).When(Appraisal with { Result = AppraisalResult.Excellent })
            .ThenRejects(ReasonCodes.MemberAlreadyAppraised);

    [Fact]
    public void an_appraisal_for_a_year_before_the_episode_is_rejected() =>
        Given(PlacedMember).When(Appraisal with { Year = 2024 }).ThenRejects(ReasonCodes.MemberAppraisalYearOutOfRange);

    [Fact]
    public void an_appraisal_for_a_year_after_it_was_made_is_rejected() =>
        Given(PlacedMember).When(Appraisal with { Year = 2026 }).ThenRejects(ReasonCodes.MemberAppraisalYearOutOfRange);

    [Fact]
    public void an_appraisal_by_an_unknown_organisation_is_rejected() =>
        Given(PlacedMember).When(Appraisal with { OrganizationId = Unknown }).ThenRejects(ReasonCodes.OrgNotFound);

    [Fact]
    public void an_appraisal_without_an_episode_is_rejected() =>
        Given().When(Appraisal).ThenRejects(ReasonCodes.MemberNoOpenEpisode);

    [Theory]
    [InlineData("unknown result", ReasonCodes.InvalidValue)]
    [InlineData("no organisation", ReasonCodes.MissingField)]
    [InlineData("no time", ReasonCodes.MissingField)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void an_appraisal_with_bad_input_is_rejected(string @case, string code) =>
        Given(PlacedMember).When(@case switch
        {
            "unknown result" => Appraisal with { Result = (AppraisalResult)4 },
            "no organisation" => Appraisal with { OrganizationId = "" },
            "no time" => Appraisal with { AppraisedAt = default },
            "in the future" => Appraisal with { AppraisedAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
