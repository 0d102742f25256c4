namespace CoManagement.Domain.Tests;

/// <summary>A command type a decider does not know is a rejection, not an exception: the bus may carry newer commands.</summary>
public class UnknownCommandTests
{
    private sealed record Teleport(Guid CommandId, Actor Actor, DateTimeOffset Now, string MemberId, string OrganizationId, string AgreementId)
        : IMemberCommand, IOrganizationCommand, IAgreementCommand;

    private static readonly Teleport Command = new(CommandId, InflowClerk, Now, "m-1", "o-1", "a-1");

    /// <summary>From an organisation allowed to act on o-1 and a-1, so only the command's kind is wrong.</summary>
    private static readonly Teleport FromLanzhou = Command with { Actor = new("u-lz", LanzhouDept, Side.Inflow) };

    [Fact]
    public void the_member_decider_rejects_a_command_it_does_not_know() =>
        Member.Decide(Command, Member.Initial, TestData.Orgs, DomainSettings.Default).Rejection!.Code.ShouldBe(ReasonCodes.UnknownCommand);

    [Fact]
    public void the_organisation_decider_rejects_a_command_it_does_not_know() =>
        Organization.Decide(FromLanzhou, Organization.Fold([new OrganizationCreated("o-1", "站", LanzhouDept, OrganizationKind.ServiceStation, Side.Inflow, RegionCode.Parse("620100"), Now)]),
            TestData.Orgs, DomainSettings.Default).Rejection!.Code.ShouldBe(ReasonCodes.UnknownCommand);

    [Fact]
    public void the_agreement_decider_rejects_a_command_it_does_not_know() =>
        Agreement.Decide(FromLanzhou, Agreement.Fold([new AgreementSigned("a-1", "协议", PingliangDept, LanzhouDept, [], [Commitment.JointActivities], 7, Now)]),
            TestData.Orgs, DomainSettings.Default).Rejection!.Code.ShouldBe(ReasonCodes.UnknownCommand);
}
