using System.Text.RegularExpressions;

namespace CoManagement.Domain.Tests.Common;

public class CommonTests
{
    [Fact]
    public void reason_codes_are_unique_and_shaped_like_area_dot_reason()
    {
        ReasonCodes.All.Count.ShouldBeGreaterThan(40);
        ReasonCodes.All.ShouldBeUnique();
        ReasonCodes.All.ShouldAllBe(c => Regex.IsMatch(c, @"^(command|service|actor|member|org|agreement)\.[a-z]+(-[a-z]+)*$"));
    }

    [Fact]
    public void the_default_settings_are_the_articles_thresholds()
    {
        var s = DomainSettings.Default;

        (s.ReportOverdue.TotalDays, s.ContactOverdue.TotalDays, s.Idle.TotalDays, s.LongIdle.TotalDays).ShouldBe((90, 30, 90, 180));
        (s.LostContactSuspension.TotalDays, s.TransferExpectedAfter.TotalDays, s.SuspensionRestorableWithin.TotalDays).ShouldBe((183, 183, 730));
        (s.MaxTextLength, s.MaxIdLength).ShouldBe((200, 64));
    }

    [Fact]
    public void nothing_to_do_is_an_accepted_decision_without_events()
    {
        Decision.Accept().ShouldBeSameAs(Decision.Nothing);
        Decision.Nothing.IsAccepted.ShouldBeTrue();
        Decision.Nothing.IsNothing.ShouldBeTrue();
        Decision.Nothing.ToString().ShouldBe("nothing to do");
    }

    [Fact]
    public void a_rejection_converts_to_a_decision_without_events()
    {
        Decision decision = new Rejection(ReasonCodes.OrgClosed, "closed");

        decision.IsAccepted.ShouldBeFalse();
        decision.IsNothing.ShouldBeFalse();
        decision.Events.ShouldBeEmpty();
        decision.ToString().ShouldBe("rejected org.closed: closed");
        Decision.Reject(ReasonCodes.OrgClosed, "closed").Rejection.ShouldBe(decision.Rejection);
    }

    [Fact]
    public void an_accepted_decision_lists_its_events()
    {
        var decision = Decision.Accept(new OrganizationClosed("o-1", Now));

        decision.IsAccepted.ShouldBeTrue();
        decision.IsNothing.ShouldBeFalse();
        decision.ToString().ShouldBe("accepted OrganizationClosed");
    }

    [Theory]
    [InlineData("620802199003150017", "620802********0017")]
    [InlineData("62080219900315001X", "620802********001X")]
    [InlineData("1234", "****")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void id_numbers_are_masked_but_recognisable(string? value, string masked) =>
        Masking.IdNumber(value).ShouldBe(masked);

    [Theory]
    [InlineData("13909330001", "139****0001")]
    [InlineData("0933-8211234", "093*****1234")]
    [InlineData("110", "***")]
    public void phone_numbers_are_masked_but_recognisable(string value, string masked) =>
        Masking.Phone(value).ShouldBe(masked);

    [Fact]
    public void a_missing_organisation_is_reported_before_anything_else() =>
        TestData.Orgs.Require(Unknown, "branch", Side.Inflow, OrganizationKinds.Branches)!.Code.ShouldBe(ReasonCodes.OrgNotFound);

    [Fact]
    public void a_closed_organisation_is_reported_before_its_side_or_kind() =>
        TestData.Orgs.Require(ClosedBranch, "branch", Side.Outflow, [OrganizationKind.Department])!.Code.ShouldBe(ReasonCodes.OrgClosed);

    [Fact]
    public void a_directory_given_the_same_organisation_twice_keeps_the_later_facts()
    {
        var open = TestData.Orgs.Find(ChengguanBranch)!;

        new OrgDirectory([open, open with { IsOpen = false }]).Require(ChengguanBranch, "branch")!.Code.ShouldBe(ReasonCodes.OrgClosed);
    }

    [Fact]
    public void an_open_organisation_of_the_right_side_and_kind_passes()
    {
        TestData.Orgs.Require(ChengguanBranch, "branch", Side.Inflow, OrganizationKinds.Branches).ShouldBeNull();
        TestData.Orgs.Require(ChengguanBranch, "branch").ShouldBeNull();
        OrgDirectory.Empty.Find(ChengguanBranch).ShouldBeNull();
    }
}
