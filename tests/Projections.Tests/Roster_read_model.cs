using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Domain.Organizations;
using static CoManagement.Projections.Tests.Pingliang;

namespace CoManagement.Projections.Tests;

public sealed class Roster_read_model : IAsyncLifetime
{
    private World _w = null!;
    private RosterQuery _roster = null!;
    private RiskQuery _risks = null!;

    public async ValueTask InitializeAsync()
    {
        _w = await World.CreateAsync();
        var clock = new FixedClock(On(2025, 2, 1));
        _roster = new RosterQuery(_w.DataSource, _w.Catalog, clock);
        _risks = new RiskQuery(_w.DataSource, _w.Catalog, clock);
        await OrganisationsAsync(_w);
        await JanuaryAsync(_w);
    }

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    [Fact]
    public async Task the_roster_is_written_in_the_append_transaction_with_places_dates_and_counts_by_side()
    {
        var m1 = (await _roster.FindAsync("m1"))!; // no runner was started: the row came with the append
        m1.ShouldBe(m1 with
        {
            Name = "党员m1", Episode = 1, Status = MemberStatus.Placed, OutflowOrgId = BranchA, OutflowOrgName = "崆峒区甲村党支部",
            OutflowRegion = "620802", InflowOrgId = LanzhouStation, InflowOrgName = "平凉驻兰州联络站", BranchId = ChengguanBranch,
            DestinationRegion = "620102", InProvince = true, RegisteredAt = On(2025, 1, 3), ReportedAt = On(2025, 1, 10),
            PlacedAt = On(2025, 1, 12), LastActivityAt = On(2025, 1, 28), LastCareVisitAt = On(2025, 1, 25), LastContactAt = null,
            ActivitiesInflow = 1, ActivitiesOutflow = 0, CareVisitsOutflow = 1, CareVisitsInflow = 0, RegisteredBySide = Side.Outflow,
            Risks = MemberRisks.None, IdNumber = IdNumberFor("m1"), Phone = "13800000000",
        });
        (await _roster.FindAsync("m5"))!.InProvince.ShouldBeFalse(); // reported at the Yinchuan station
        (await _roster.FindAsync("nobody")).ShouldBeNull();
    }

    [Fact]
    public async Task filters_apply_to_the_outflow_or_inflow_subtree_status_destination_and_province()
    {
        async Task<string[]> Ids(RosterFilter f) => [.. (await _roster.ListAsync(f)).Items.Select(e => e.MemberId)];

        (await Ids(new RosterFilter { OrgId = Kongtong, Statuses = [MemberStatus.Outflowed] })).ShouldBe(["m3", "m6", "m7"]);
        (await Ids(new RosterFilter { OrgId = City, Statuses = [MemberStatus.Placed, MemberStatus.Reported] })).ShouldBe(["m1", "m2", "m4", "m5"]);
        (await Ids(new RosterFilter { OrgId = BranchA })).ShouldBe(["m1", "m2", "m4"]);
        (await Ids(new RosterFilter { DestinationPrefix = "61" })).ShouldBe(["m4", "m7"]);
        (await Ids(new RosterFilter { OrgId = City, InProvince = true })).ShouldBe(["m1", "m2", "m3"]);
        (await Ids(new RosterFilter { OrgId = City, Side = Side.Inflow })).ShouldBe(["m1", "m4", "m5"]); // reported at Pingliang's stations
        (await Ids(new RosterFilter { OrgId = Lanzhou, Side = Side.Inflow })).ShouldBe(["m2"]);
        (await Ids(new RosterFilter { OrgId = Gansu, Sort = RosterSort.RegisteredAt, Descending = true })).ShouldBe(["m7", "m6", "m5", "m4", "m3", "m2", "m1"]);
        await Should.ThrowAsync<ArgumentException>(() => _roster.ListAsync(new RosterFilter { DestinationPrefix = "61' OR 1=1 --" }));

        var page = await _roster.ListAsync(new RosterFilter { OrgId = City, Page = 2, PageSize = 3 });
        (page.Total, page.PageNumber, page.PageSize, page.TotalIsExact).ShouldBe((7L, 2, 3, true));
        page.Items.Select(e => e.MemberId).ShouldBe(["m4", "m5", "m6"]);

        var capped = await _roster.ListAsync(new RosterFilter { OrgId = City, Page = 2, PageSize = 3, CountCap = 5 });
        (capped.Total, capped.TotalIsExact).ShouldBe((5L, false), "past the cap the total is a lower bound, and says so");
        capped.Items.Select(e => e.MemberId).ShouldBe(["m4", "m5", "m6"]);
        (await _roster.ListAsync(new RosterFilter { OrgId = City, CountCap = 7 })).TotalIsExact.ShouldBeTrue();
    }

    [Fact]
    public async Task risk_flags_are_judged_at_the_asked_time_from_the_dates()
    {
        var april = On(2025, 4, 10);
        (await _risks.CountAsync(City, now: april)).ShouldBe(new RiskCounts(City, Side.Outflow, april,
            ReportOverdue: 3, ContactOverdue: 7, Idle: 5, LongIdle: 0, LostContact: 0, TransferExpected: 0));

        await _w.MarkLostAsync("m6", OutflowActor(BranchB), On(2025, 3, 1));
        (await _risks.CountAsync(City, now: april)).ShouldBe(new RiskCounts(City, Side.Outflow, april,
            ReportOverdue: 2, ContactOverdue: 6, Idle: 4, LongIdle: 0, LostContact: 1, TransferExpected: 0));
        var overdue = await _risks.ListAsync(City, MemberRisks.ReportOverdue, now: april);
        overdue.Items.Select(e => e.MemberId).ShouldBe(["m3", "m7"]);
        overdue.Items[0].Risks.ShouldBe(MemberRisks.ReportOverdue | MemberRisks.ContactOverdue | MemberRisks.Idle);
        (await _risks.ListAsync(City, MemberRisks.LostContact, now: april)).Items.Single().Risks.ShouldBe(MemberRisks.LostContact);
        (await _roster.ListAsync(new RosterFilter { OrgId = City, Risk = MemberRisks.Idle, Now = april })).Total.ShouldBe(4);

        var july = On(2025, 7, 20); // 183 days after the January reports: a transfer is expected
        (await _risks.CountAsync(City, now: july)).TransferExpected.ShouldBe(4);
        (await _risks.CountAsync(City, now: july)).LongIdle.ShouldBe(4); // m2, m3, m5, m7; m6 is lost, m1 and m4 met on 28 January
    }

    [Fact]
    public async Task a_moved_branch_takes_its_members_into_the_new_subtree()
    {
        await _w.OrgAsync("pl-jc", "泾川县委", City, OrganizationKind.Committee, Side.Outflow, "620821", On(2025, 3, 1));
        await _w.DoAsync(new ReparentOrganization(Guid.NewGuid(), OutflowActor(City), On(2025, 3, 2), BranchB, "pl-jc", On(2025, 3, 2)));

        (await _roster.ListAsync(new RosterFilter { OrgId = "pl-jc" })).Items.Select(e => e.MemberId).ShouldBe(["m3", "m5", "m6", "m7"]);
        (await _roster.ListAsync(new RosterFilter { OrgId = Kongtong })).Items.Select(e => e.MemberId).ShouldBe(["m1", "m2", "m4"]);
        var path = await _w.ScalarAsync<string[]>($"SELECT ancestors FROM {_w.Catalog.SchemaOf(ProjectionNames.Orgs)}.orgs WHERE id = $1", BranchB);
        path.ShouldBe([Gansu, City, "pl-jc", BranchB]);

        // The inflow side's paths move too: m2 reported at Chengguan, m1 at the Lanzhou station outside it.
        await _w.OrgAsync("lz-xq", "兰州新区党工委", Lanzhou, OrganizationKind.Committee, Side.Inflow, "620100", On(2025, 3, 3));
        await _w.DoAsync(new ReparentOrganization(Guid.NewGuid(), InflowActor(Lanzhou), On(2025, 3, 4), Chengguan, "lz-xq", On(2025, 3, 4)));
        (await _roster.ListAsync(new RosterFilter { OrgId = "lz-xq", Side = Side.Inflow })).Items.Select(e => e.MemberId).ShouldBe(["m2"]);
        (await _roster.ListAsync(new RosterFilter { OrgId = Lanzhou, Side = Side.Inflow })).Items.Select(e => e.MemberId).ShouldBe(["m2"]);
        (await _roster.ListAsync(new RosterFilter { OrgId = "pl-jc" })).Items.Select(e => e.MemberId).ShouldBe(["m3", "m5", "m6", "m7"]);
    }

    [Fact]
    public async Task a_new_episode_starts_a_clean_row_and_a_move_resets_the_report()
    {
        await _w.MoveOnAsync("m5", "610112", OutflowActor(BranchB), On(2025, 2, 2));
        var moved = (await _roster.FindAsync("m5"))!;
        (moved.Status, moved.InflowOrgId, moved.ReportedAt, moved.DestinationRegion, moved.MovedAt).ShouldBe(
            (MemberStatus.Outflowed, (string?)null, (DateTimeOffset?)null, "610112", (DateTimeOffset?)On(2025, 2, 2)));

        await _w.ReturnAsync("m1", OutflowActor(BranchA), On(2025, 2, 3));
        (await _roster.FindAsync("m1"))!.Status.ShouldBe(MemberStatus.Returned);
        await _w.RegisterAsync("m1", BranchA, "650102", On(2025, 3, 1));
        var second = (await _roster.FindAsync("m1"))!;
        (second.Episode, second.Status, second.InflowOrgId, second.ActivitiesInflow, second.CareVisitsOutflow, second.InProvince)
            .ShouldBe((2, MemberStatus.Outflowed, (string?)null, 0, 0, false));
    }
}
