namespace CoManagement.Domain.Tests.Agreements;

public partial class AgreementTests
{
    private static CompleteActionItem Complete => new(CommandId, DeptClerk, Now, AgreementId, "ai-1", On(4, 28));

    [Fact]
    public void completing_an_action_item_records_when()
    {
        var state = Given(Signed, Consulted).When(Complete).Then(new ActionItemCompleted(AgreementId, "ai-1", On(4, 28)));

        state.ActionItems["ai-1"].CompletedAt.ShouldBe(On(4, 28));
        state.ActionItems["ai-2"].CompletedAt.ShouldBeNull();
    }

    [Fact]
    public void completing_a_completed_item_is_nothing_to_do() =>
        Given(Signed, Consulted, new ActionItemCompleted(AgreementId, "ai-1", On(4, 28))).When(Complete with { CompletedAt = On(5, 1) })
            .ThenNothing();

    [Fact]
    public void completing_an_unknown_item_is_rejected() =>
        Given(Signed, Consulted).When(Complete with { ItemId = "ai-9" }).ThenRejects(ReasonCodes.AgreementUnknownActionItem);

    [Fact]
    public void completing_before_the_consultation_is_rejected() =>
        Given(Signed, Consulted).When(Complete with { CompletedAt = On(3, 1) }).ThenRejects(ReasonCodes.AgreementCompletedBeforeConsultation);

    [Fact]
    public void completing_on_an_ended_agreement_is_rejected() =>
        Given(Signed, Consulted, Ended).When(Complete).ThenRejects(ReasonCodes.AgreementEnded);

    [Fact]
    public void completing_on_an_unsigned_agreement_is_rejected() =>
        Given().When(Complete).ThenRejects(ReasonCodes.AgreementNotFound);

    [Theory]
    [InlineData("no item id", ReasonCodes.MissingField)]
    [InlineData("no time", ReasonCodes.MissingField)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void completing_with_bad_input_is_rejected(string @case, string code) =>
        Given(Signed, Consulted).When(@case switch
        {
            "no item id" => Complete with { ItemId = "" },
            "no time" => Complete with { CompletedAt = default },
            "in the future" => Complete with { CompletedAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
