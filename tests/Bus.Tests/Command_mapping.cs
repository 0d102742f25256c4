using CoManagement.Contracts;
using CoManagement.Host.Bus;

namespace CoManagement.Bus.Tests;

/// <summary>Contract → command without a bus: what a sender leaves out is unreadable, never a default value.</summary>
public sealed class Command_mapping
{
    private static readonly Actor Clerk = new("u-1", "pl", "Outflow");
    private static readonly DateTimeOffset At = new(2025, 3, 1, 9, 0, 0, TimeSpan.FromHours(8));

    public static TheoryData<string, ICommandMessage> MessagesWithoutANumberOrAYesNo => new()
    {
        { "cardHandedIn is missing", new RecordReturn(null, Clerk, "m-1", null, At) },
        { "year is missing", new RecordAppraisal(null, Clerk, "m-1", null, "Qualified", "pl-b1", At) },
        { "year is missing", new SetTarget(null, Clerk, "pl", "CoverageRate", null, 0.3m, At) },
        { "value is missing", new SetTarget(null, Clerk, "pl", "CoverageRate", 2025, null, At) },
        { "informationSharingDays is missing", new SignAgreement(null, Clerk, "a-1", "协议", "pl", "lz", null, ["MemberCoManagement"], null, At) },
    };

    [Theory]
    [MemberData(nameof(MessagesWithoutANumberOrAYesNo))]
    public void a_missing_number_or_yes_no_field_is_unreadable_rather_than_zero_or_false(string reason, ICommandMessage message) =>
        Should.Throw<InvalidCommandMessageException>(() => CommandMapping.ToCommand(message, Guid.NewGuid(), At))
            .Message.ShouldBe(reason);

    [Fact]
    public void present_numbers_and_yes_no_fields_are_taken_as_sent()
    {
        var command = (Domain.Members.RecordReturn)CommandMapping.ToCommand(new RecordReturn(null, Clerk, "m-1", false, At), Guid.NewGuid(), At);
        command.CardHandedIn.ShouldBeFalse();
        var target = (Domain.Organizations.SetTarget)CommandMapping.ToCommand(
            new SetTarget(null, Clerk, "pl", "CoverageRate", 2025, 0.3m, At), Guid.NewGuid(), At);
        (target.Year, target.Value).ShouldBe((2025, 0.3m));
    }
}
