namespace CoManagement.Domain.Tests.Organizations;

public partial class OrganizationTests
{
    private static CloseOrganization Close => new(CommandId, DeptClerk, Now, StationId, On(8, 1));

    [Fact]
    public void closing_an_organisation_is_terminal()
    {
        var state = Given(Created).When(Close).Then(Closed);

        state.Status.ShouldBe(OrganizationStatus.Closed);
        state.ClosedAt.ShouldBe(On(8, 1));
        Organization.IsTerminal(state).ShouldBeTrue();
    }

    [Fact]
    public void closing_a_closed_organisation_is_nothing_to_do() =>
        Given(Created, Closed).When(Close with { ClosedAt = On(8, 2) }).ThenNothing();

    [Fact]
    public void closing_an_unknown_organisation_is_rejected() =>
        Given().When(Close).ThenRejects(ReasonCodes.OrgNotFound);

    [Theory]
    [InlineData("no time", ReasonCodes.MissingField)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void closing_with_bad_input_is_rejected(string @case, string code) =>
        Given(Created).When(@case switch
        {
            "no time" => Close with { ClosedAt = default },
            "in the future" => Close with { ClosedAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
