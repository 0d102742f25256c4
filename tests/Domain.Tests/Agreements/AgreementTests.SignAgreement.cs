namespace CoManagement.Domain.Tests.Agreements;

public partial class AgreementTests
{
    private static SignAgreement Sign => new(
        CommandId, DeptClerk, Now, AgreementId, "平凉—兰州流动党员双向共管协议", PingliangDept, LanzhouDept, [PingliangOffice],
        AllFive, 7, On(2, 20));

    [Fact]
    public void signing_records_the_parties_commitments_and_sharing_duty()
    {
        var state = Given().When(Sign).Then(Signed);

        state.Status.ShouldBe(AgreementStatus.Active);
        state.Parties.ShouldBe([PingliangDept, LanzhouDept, PingliangOffice]);
        state.Commitments.Count.ShouldBe(5);
        state.InformationSharingDays.ShouldBe(7);
    }

    [Fact]
    public void signing_between_two_departments_only_is_accepted() =>
        Given().When(Sign with { ExtraPartyIds = [], Commitments = [Commitment.MemberCoManagement] })
            .Then(Signed with { ExtraPartyIds = [], Commitments = [Commitment.MemberCoManagement] });

    [Fact]
    public void signing_with_the_same_department_on_both_sides_is_rejected() =>
        Given().When(Sign with { InflowDepartmentId = PingliangDept }).ThenRejects(ReasonCodes.AgreementSameParty);

    [Fact]
    public void naming_a_party_twice_is_rejected() =>
        Given().When(Sign with { ExtraPartyIds = [PingliangOffice, LanzhouDept] }).ThenRejects(ReasonCodes.AgreementDuplicateParty);

    [Fact]
    public void an_outflow_department_on_the_inflow_side_is_rejected() =>
        Given().When(Sign with { OutflowDepartmentId = LanzhouDept, InflowDepartmentId = PingliangDept })
            .ThenRejects(ReasonCodes.OrgWrongSide);

    [Fact]
    public void a_party_that_is_not_a_department_on_the_inflow_side_is_rejected() =>
        Given().When(Sign with { InflowDepartmentId = ChengguanCommunity }).ThenRejects(ReasonCodes.OrgWrongKind);

    [Fact]
    public void an_unknown_department_is_rejected() =>
        Given().When(Sign with { OutflowDepartmentId = Unknown }).ThenRejects(ReasonCodes.OrgNotFound);

    [Fact]
    public void an_unknown_extra_party_is_rejected() =>
        Given().When(Sign with { ExtraPartyIds = [Unknown] }).ThenRejects(ReasonCodes.OrgNotFound);

    [Fact]
    public void a_closed_extra_party_is_rejected() =>
        Given().When(Sign with { ExtraPartyIds = [ClosedBranch] }).ThenRejects(ReasonCodes.OrgClosed);

    [Fact]
    public void signing_an_agreement_twice_is_rejected() =>
        Given(Signed).When(Sign).ThenRejects(ReasonCodes.AgreementAlreadySigned);

    [Fact]
    public void naming_a_commitment_twice_is_rejected() =>
        Given().When(Sign with { Commitments = [Commitment.JointActivities, Commitment.JointActivities] })
            .ThenRejects(ReasonCodes.InvalidValue);

    [Theory]
    [InlineData("no id", ReasonCodes.MissingField)]
    [InlineData("no title", ReasonCodes.MissingField)]
    [InlineData("oversized title", ReasonCodes.FieldTooLong)]
    [InlineData("no outflow department", ReasonCodes.MissingField)]
    [InlineData("no inflow department", ReasonCodes.MissingField)]
    [InlineData("no extra party list", ReasonCodes.MissingField)]
    [InlineData("blank extra party", ReasonCodes.MissingField)]
    [InlineData("no commitments", ReasonCodes.MissingField)]
    [InlineData("unknown commitment", ReasonCodes.InvalidValue)]
    [InlineData("no sharing duty", ReasonCodes.AgreementInvalidSharingDuty)]
    [InlineData("sharing duty over a year", ReasonCodes.AgreementInvalidSharingDuty)]
    [InlineData("signed in the future", ReasonCodes.TimeInFuture)]
    public void signing_with_bad_input_is_rejected(string @case, string code) =>
        Given().When(@case switch
        {
            "no id" => Sign with { AgreementId = "" },
            "no title" => Sign with { Title = "" },
            "oversized title" => Sign with { Title = new string('协', 201) },
            "no outflow department" => Sign with { OutflowDepartmentId = "" },
            "no inflow department" => Sign with { InflowDepartmentId = null! },
            "no extra party list" => Sign with { ExtraPartyIds = null! },
            "blank extra party" => Sign with { ExtraPartyIds = [" "] },
            "no commitments" => Sign with { Commitments = [] },
            "unknown commitment" => Sign with { Commitments = [(Commitment)8] },
            "no sharing duty" => Sign with { InformationSharingDays = 0 },
            "sharing duty over a year" => Sign with { InformationSharingDays = 400 },
            "signed in the future" => Sign with { SignedAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);

    [Fact]
    public void the_handler_is_told_to_look_up_every_party_and_the_actor_s_organisation()
    {
        Agreement.OrganizationsNamedIn(Sign, Agreement.Initial).ShouldBe([PingliangDept, LanzhouDept, PingliangOffice]);
        Agreement.OrganizationsNamedIn(End, Agreement.Initial).ShouldBe([PingliangDept], "never signed: only the actor's");
        Agreement.OrganizationsNamedIn(End, Agreement.Fold([Signed])).ShouldBe([PingliangDept, LanzhouDept, PingliangOffice]);
    }
}
