using CoManagement.Domain.Agreements;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using static CoManagement.Projections.Tests.Meixian;

namespace CoManagement.Projections.Tests;

public sealed class Bilateral_audit_view : IAsyncLifetime
{
    private World _w = null!;
    private AgreementQuery _agreements = null!;

    public async ValueTask InitializeAsync()
    {
        _w = await World.CreateAsync();
        _agreements = new AgreementQuery(_w.DataSource, _w.Catalog, new FixedClock(On(2025, 4, 10)));
        await OrganisationsAsync(_w);
        await SpringAsync(_w);
        await _w.CatchUpAsync();
    }

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    [Fact]
    public async Task the_meixian_liwan_agreement_covers_members_bound_for_or_reported_in_liwan_with_each_sides_actions()
    {
        var view = (await _agreements.GetAsync(AgreementId))!;

        view.Agreement.ShouldBe(view.Agreement with
        {
            OutflowDepartmentId = Department, OutflowDepartmentName = "梅县区委组织部", InflowDepartmentId = Liwan,
            InflowDepartmentName = "荔湾区委组织部", InformationSharingDays = 15, EndedAt = null,
        });
        view.Agreement.Commitments.ShouldBe([Commitment.MemberCoManagement, Commitment.ResourceSharing]);
        view.Members.Items.Select(m => m.MemberId).ShouldBe(["a1", "a2", "a3", "a6"]); // by registration: 3, 5, 20 March, 5 April
        view.Members.Total.ShouldBe(4);
        view.Totals.ShouldBe(new AgreementTotals(
            Members: 4, Reported: 2, Placed: 1, NotReportedPastDuty: 1, FoundByInflow: 1,
            AverageReportLagDays: 5.5, MedianReportLagDays: 5.5,
            Outflow: new SideActions(Registrations: 3, ReportsReceived: 0, Placements: 0, Contacts: 1, Activities: 0, CareVisits: 0),
            Inflow: new SideActions(Registrations: 1, ReportsReceived: 2, Placements: 1, Contacts: 1, Activities: 2, CareVisits: 1)));

        var a1 = view.Members.Items[0];
        a1.ShouldBe(a1 with
        {
            Status = MemberStatus.Placed, InflowOrgId = Centre1906, RegisteredBySide = Side.Outflow, RegisteredByOrg = Branch,
            ReportReceivedByOrg = Centre1906, PlacedByOrg = Jinhua, BranchId = JinhuaBranch, ReportLagDays = 10,
            ContactsOutflow = 1, ContactsInflow = 1, ActivitiesOutflow = 0, ActivitiesInflow = 2, CareVisitsInflow = 1,
            NotReportedPastDuty = false, FoundByInflow = false,
        });
        view.Members.Items[2].ShouldBe(view.Members.Items[2] with
        {
            MemberId = "a3", RegisteredBySide = Side.Inflow, RegisteredByOrg = Jinhua, FoundByInflow = true, ReportLagDays = 1,
        });
    }

    [Fact]
    public async Task members_not_reported_past_the_sharing_duty_and_those_found_at_the_inflow_side_are_listed()
    {
        var late = (await _agreements.GetAsync(AgreementId, AgreementMemberSet.NotReportedPastDuty))!;
        late.Members.Items.Single().ShouldBe(late.Members.Items[0] with { MemberId = "a2", Status = MemberStatus.Outflowed, NotReportedPastDuty = true });

        var found = (await _agreements.GetAsync(AgreementId, AgreementMemberSet.FoundByInflow))!;
        found.Members.Items.Select(m => m.MemberId).ShouldBe(["a3"]);

        (found.Members.Total, late.Members.Total).ShouldBe((1L, 1L), "a narrower set counts its own members");

        var second = (await _agreements.GetAsync(AgreementId, page: 2, pageSize: 3))!;
        second.Members.Items.Select(m => m.MemberId).ShouldBe(["a6"], "the page after the first three by registration");
        (second.Members.Total, second.Members.PageNumber, second.Totals.Members).ShouldBe((4L, 2, 4L));

        // On 21 March nobody was past the duty yet: a2 registered on 5 March, 15 days before the 20th.
        var earlier = (await _agreements.GetAsync(AgreementId, AgreementMemberSet.NotReportedPastDuty, now: On(2025, 3, 20, 8)))!;
        earlier.Members.Total.ShouldBe(0);
    }

    [Fact]
    public async Task a_member_who_moves_on_leaves_no_report_received_behind()
    {
        // a1 reported at the 1906 centre and was placed; moving on within Liwan's region keeps it covered, not reported.
        await _w.MoveOnAsync("a1", "440103", OutflowActor(Branch), On(2025, 4, 2));
        await _w.CatchUpAsync();

        var view = (await _agreements.GetAsync(AgreementId))!;
        var a1 = view.Members.Items.Single(m => m.MemberId == "a1");
        (a1.ReportedAt, a1.ReportReceivedBy, a1.ReportReceivedByOrg, a1.PlacedByOrg).ShouldBe(((DateTimeOffset?)null, (string?)null, (string?)null, (string?)null));
        view.Totals.Reported.ShouldBe(1);
        (view.Totals.Outflow.ReportsReceived + view.Totals.Inflow.ReportsReceived).ShouldBe(view.Totals.Reported);
        view.Totals.Inflow.Placements.ShouldBe(view.Totals.Placed);
    }

    [Fact]
    public async Task consultations_show_their_action_items_and_which_are_overdue()
    {
        var view = (await _agreements.GetAsync(AgreementId))!;
        var consultation = view.Consultations.Single();
        (consultation.ConsultationId, consultation.Topic, consultation.HeldAt).ShouldBe(("c1", "春季会商", On(2025, 4, 1)));
        consultation.ActionItems.Select(i => (i.ItemId, i.Owner, i.CompletedAt, i.Overdue)).ShouldBe(
        [
            ("i2", Side.Inflow, (DateTimeOffset?)null, true),
            ("i1", Side.Outflow, On(2025, 4, 7), false),
            ("i3", Side.Inflow, null, false),
        ]);
        view.OverdueActionItems.ShouldBe(1);
    }

    [Fact]
    public async Task agreements_are_listed_newest_first_in_pages_with_their_total()
    {
        await _w.SignAsync("mx-th", Department, Tianhe, 30, On(2025, 3, 20));
        await _w.SignAsync("mz-gz", Meizhou, Guangzhou, 30, On(2025, 4, 2));
        await _w.CatchUpAsync();

        var first = await _agreements.ListAsync(page: 1, pageSize: 2);
        var second = await _agreements.ListAsync(page: 2, pageSize: 2);

        (first.Total, second.Total).ShouldBe((3L, 3L));
        first.Items.Select(a => a.AgreementId).ShouldBe(["mz-gz", "mx-th"]);
        second.Items.Select(a => a.AgreementId).ShouldBe([AgreementId]);
        (await _agreements.ListAsync(page: 3, pageSize: 2)).Items.ShouldBeEmpty();
        var tianhe = await _agreements.ListAsync(Tianhe); // a party to one, and under Guangzhou, a party to the other
        (tianhe.Total, string.Join(" ", tianhe.Items.Select(a => a.AgreementId))).ShouldBe((2L, "mz-gz mx-th"));
        (await _agreements.IsVisibleToAsync(Tianhe, "mx-th")).ShouldBeTrue();
        (await _agreements.IsVisibleToAsync(Tianhe, AgreementId)).ShouldBeFalse();
    }

    [Fact]
    public async Task agreements_are_listed_for_either_party_and_its_subtree_and_ancestors()
    {
        (await _agreements.ListAsync()).Items.Select(a => a.AgreementId).ShouldBe([AgreementId]);
        (await _agreements.ListAsync(Jinhua)).Items.Select(a => a.AgreementId).ShouldBe([AgreementId]);
        (await _agreements.ListAsync(Meizhou)).Items.Select(a => a.AgreementId).ShouldBe([AgreementId]);
        (await _agreements.ListAsync(Tianhe)).Items.ShouldBeEmpty();
        (await _agreements.IsVisibleToAsync(Jinhua, AgreementId)).ShouldBeTrue();
        (await _agreements.IsVisibleToAsync(Meizhou, AgreementId)).ShouldBeTrue();
        (await _agreements.IsVisibleToAsync(Tianhe, AgreementId)).ShouldBeFalse();
        (await _agreements.IsVisibleToAsync(Jinhua, "no-such-agreement")).ShouldBeFalse();
        (await _agreements.GetAsync("no-such-agreement")).ShouldBeNull();
    }

    [Fact]
    public async Task the_flow_matrix_shows_meizhou_members_in_guangzhou()
    {
        var flows = await new FlowMatrixQuery(_w.DataSource, _w.Catalog).GetAsync(level: RegionLevel.City, fromPrefix: "4414");
        flows.Cells.ShouldBe([new FlowCell("4414", "4401", 5), new FlowCell("4414", "4403", 1)]);
    }
}
