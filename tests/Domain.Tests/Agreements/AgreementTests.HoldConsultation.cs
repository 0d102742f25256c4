namespace CoManagement.Domain.Tests.Agreements;

public partial class AgreementTests
{
    private static HoldConsultation Consult => new(
        CommandId, DeptClerk, Now, AgreementId, "c-2025-1", "一季度会商", [ExchangeLists, JointThemeDay], On(3, 28));

    [Fact]
    public void holding_a_consultation_records_its_action_items()
    {
        var state = Given(Signed).When(Consult).Then(Consulted);

        state.Consultations["c-2025-1"].ShouldBe(On(3, 28));
        state.ActionItems.Keys.Order().ShouldBe(["ai-1", "ai-2"]);
        state.ActionItems["ai-1"].ShouldBe(new ActionItemState("c-2025-1", ExchangeLists, On(3, 28)));
    }

    [Fact]
    public void a_consultation_without_action_items_is_accepted() =>
        Given(Signed).When(Consult with { ActionItems = [] }).Then(Consulted with { ActionItems = [] });

    [Fact]
    public void a_consultation_before_the_signing_is_rejected() =>
        Given(Signed).When(Consult with { HeldAt = On(2, 1) }).ThenRejects(ReasonCodes.AgreementBeforeSigning);

    [Fact]
    public void recording_the_same_consultation_twice_is_rejected() =>
        Given(Signed, Consulted).When(Consult with { ActionItems = [] }).ThenRejects(ReasonCodes.AgreementDuplicateConsultation);

    [Fact]
    public void two_action_items_with_one_id_are_rejected() =>
        Given(Signed).When(Consult with { ActionItems = [ExchangeLists, JointThemeDay with { ItemId = "ai-1" }] })
            .ThenRejects(ReasonCodes.AgreementDuplicateActionItem);

    [Fact]
    public void reusing_an_action_item_id_from_an_earlier_consultation_is_rejected() =>
        Given(Signed, Consulted).When(Consult with { ConsultationId = "c-2025-2", ActionItems = [ExchangeLists] })
            .ThenRejects(ReasonCodes.AgreementDuplicateActionItem);

    [Fact]
    public void an_action_item_due_before_the_consultation_is_rejected() =>
        Given(Signed).When(Consult with { ActionItems = [ExchangeLists with { DueAt = On(3, 1) }] })
            .ThenRejects(ReasonCodes.AgreementDueBeforeConsultation);

    [Fact]
    public void an_action_item_due_in_the_future_is_accepted() =>
        Given(Signed).When(Consult with { ActionItems = [ExchangeLists with { DueAt = On(2026, 1, 31) }] })
            .Then(Consulted with { ActionItems = [ExchangeLists with { DueAt = On(2026, 1, 31) }] });

    [Fact]
    public void a_consultation_on_an_unsigned_agreement_is_rejected() =>
        Given().When(Consult).ThenRejects(ReasonCodes.AgreementNotFound);

    [Fact]
    public void a_consultation_on_an_ended_agreement_is_rejected() =>
        Given(Signed, Ended).When(Consult).ThenRejects(ReasonCodes.AgreementEnded);

    [Fact]
    public void a_command_for_another_agreement_is_rejected_as_the_wrong_stream() =>
        Given(Signed).When(Consult with { AgreementId = "agr-other" }).ThenRejects(ReasonCodes.WrongStream);

    [Theory]
    [InlineData("no consultation id", ReasonCodes.MissingField)]
    [InlineData("no topic", ReasonCodes.MissingField)]
    [InlineData("oversized topic", ReasonCodes.FieldTooLong)]
    [InlineData("no action item list", ReasonCodes.MissingField)]
    [InlineData("null action item", ReasonCodes.MissingField)]
    [InlineData("action item without id", ReasonCodes.MissingField)]
    [InlineData("action item without text", ReasonCodes.MissingField)]
    [InlineData("oversized action item", ReasonCodes.FieldTooLong)]
    [InlineData("action item owned by no side", ReasonCodes.InvalidValue)]
    [InlineData("action item without due date", ReasonCodes.MissingField)]
    [InlineData("held in the future", ReasonCodes.TimeInFuture)]
    public void a_consultation_with_bad_input_is_rejected(string @case, string code) =>
        Given(Signed).When(@case switch
        {
            "no consultation id" => Consult with { ConsultationId = "" },
            "no topic" => Consult with { Topic = "" },
            "oversized topic" => Consult with { Topic = new string('题', 201) },
            "no action item list" => Consult with { ActionItems = null! },
            "null action item" => Consult with { ActionItems = [null!] },
            "action item without id" => Consult with { ActionItems = [ExchangeLists with { ItemId = "" }] },
            "action item without text" => Consult with { ActionItems = [ExchangeLists with { Text = "" }] },
            "oversized action item" => Consult with { ActionItems = [ExchangeLists with { Text = new string('事', 201) }] },
            "action item owned by no side" => Consult with { ActionItems = [ExchangeLists with { Owner = (Side)5 }] },
            "action item without due date" => Consult with { ActionItems = [ExchangeLists with { DueAt = default }] },
            "held in the future" => Consult with { HeldAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
