namespace CoManagement.Domain.Tests.Organizations;

public partial class OrganizationTests
{
    private static SetTarget Target => new(CommandId, DeptClerk, Now, StationId, TargetMetric.OutOfProvinceCoverage, 2025, 0.30m, On(3, 10));

    private static readonly TargetSet TargetWasSet = new(StationId, TargetMetric.OutOfProvinceCoverage, 2025, 0.30m, On(3, 10));

    [Fact]
    public void setting_a_target_records_metric_year_and_value()
    {
        var state = Given(Created).When(Target).Then(TargetWasSet);

        state.Targets[(TargetMetric.OutOfProvinceCoverage, 2025)].ShouldBe(0.30m);
    }

    [Fact]
    public void setting_the_same_target_again_is_nothing_to_do() =>
        Given(Created, TargetWasSet).When(Target).ThenNothing();

    [Fact]
    public void changing_a_target_records_the_new_value() =>
        Given(Created, TargetWasSet).When(Target with { Value = 0.35m }).Then(TargetWasSet with { Value = 0.35m });

    [Fact]
    public void a_full_coverage_target_is_accepted() =>
        Given(Created).When(Target with { Metric = TargetMetric.InProvinceCoverage, Value = 1m })
            .Then(TargetWasSet with { Metric = TargetMetric.InProvinceCoverage, Value = 1m });

    [Fact]
    public void setting_a_target_on_a_closed_organisation_is_rejected() =>
        Given(Created, Closed).When(Target).ThenRejects(ReasonCodes.OrgClosed);

    [Fact]
    public void setting_a_target_on_an_unknown_organisation_is_rejected() =>
        Given().When(Target).ThenRejects(ReasonCodes.OrgNotFound);

    [Theory]
    [InlineData("above one", ReasonCodes.OrgTargetOutOfRange)]
    [InlineData("below zero", ReasonCodes.OrgTargetOutOfRange)]
    [InlineData("unknown metric", ReasonCodes.InvalidValue)]
    [InlineData("year too far ahead", ReasonCodes.InvalidValue)]
    [InlineData("year zero", ReasonCodes.InvalidValue)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void setting_a_target_with_bad_input_is_rejected(string @case, string code) =>
        Given(Created).When(@case switch
        {
            "above one" => Target with { Value = 1.5m },
            "below zero" => Target with { Value = -0.1m },
            "unknown metric" => Target with { Metric = (TargetMetric)99 },
            "year too far ahead" => Target with { Year = 2027 },
            "year zero" => Target with { Year = 0 },
            "in the future" => Target with { SetAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
