namespace CoManagement.Domain.Tests.Agreements;

/// <summary>A party to the agreement, or an organisation above one, acts on it.</summary>
public partial class AgreementTests
{
    private static readonly Actor InflowDept = new("u-lz-dept", LanzhouDept, Side.Inflow);

    [Fact]
    public void signing_by_an_organisation_below_a_party_is_rejected() =>
        Given().When(Sign with { Actor = InflowClerk }).ThenRejects(ReasonCodes.ActorNotResponsible);

    [Fact]
    public void the_inflow_party_may_hold_a_consultation_and_an_outsider_may_not()
    {
        Given(Signed).When(Consult with { Actor = InflowDept }).Then(Consulted);
        Given(Signed).When(Consult with { Actor = new("u-xa", YantaBranch, Side.Inflow) }).ThenRejects(ReasonCodes.ActorNotResponsible);
    }

    [Fact]
    public void an_outsider_may_not_end_it() =>
        Given(Signed).When(End with { Actor = new("u-kt", KongtongBranch, Side.Outflow) }).ThenRejects(ReasonCodes.ActorNotResponsible);
}
