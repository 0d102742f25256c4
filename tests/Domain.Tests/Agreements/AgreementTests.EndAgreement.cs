namespace CoManagement.Domain.Tests.Agreements;

public partial class AgreementTests
{
    private static EndAgreement End => new(CommandId, DeptClerk, Now, AgreementId, "协议期满", On(8, 31));

    [Fact]
    public void ending_an_agreement_is_terminal()
    {
        var state = Given(Signed, Consulted).When(End).Then(Ended);

        state.Status.ShouldBe(AgreementStatus.Ended);
        state.EndedAt.ShouldBe(On(8, 31));
        Agreement.IsTerminal(state).ShouldBeTrue();
    }

    [Fact]
    public void ending_without_a_reason_is_accepted() =>
        Given(Signed).When(End with { Reason = null }).Then(Ended with { Reason = null });

    [Fact]
    public void ending_an_ended_agreement_is_nothing_to_do() =>
        Given(Signed, Ended).When(End).ThenNothing();

    [Fact]
    public void ending_before_the_signing_is_rejected() =>
        Given(Signed).When(End with { EndedAt = On(1, 1) }).ThenRejects(ReasonCodes.AgreementBeforeSigning);

    [Fact]
    public void ending_an_unsigned_agreement_is_rejected() =>
        Given().When(End).ThenRejects(ReasonCodes.AgreementNotFound);

    [Theory]
    [InlineData("oversized reason", ReasonCodes.FieldTooLong)]
    [InlineData("no time", ReasonCodes.MissingField)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void ending_with_bad_input_is_rejected(string @case, string code) =>
        Given(Signed).When(@case switch
        {
            "oversized reason" => End with { Reason = new string('因', 201) },
            "no time" => End with { EndedAt = default },
            "in the future" => End with { EndedAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
