using CoManagement.Domain.Common;
using CoManagement.Domain.Organizations;
using static CoManagement.Projections.Tests.Pingliang;

namespace CoManagement.Projections.Tests;

public sealed class Coverage_figures : IAsyncLifetime
{
    private World _w = null!;
    private CoverageQuery _coverage = null!;

    public async ValueTask InitializeAsync()
    {
        _w = await JanuaryWorldAsync();
        _coverage = new CoverageQuery(_w.DataSource, _w.Catalog, new FixedClock(On(2025, 3, 20)));
    }

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    [Fact]
    public async Task pingliang_in_and_out_of_province_coverage_is_counted_once_on_the_outflow_side_against_its_targets()
    {
        await _w.ReportAsync("m6", UrumqiStation, On(2025, 2, 3), OutflowActor(UrumqiStation)); // closes January
        await _w.CatchUpAsync();

        var january = (await _coverage.GetAsync(City, "2025-01"))!;
        january.Frozen.ShouldBeTrue();
        january.AsOf.ShouldBe(On(2025, 2, 1, 0));
        january.All.ShouldBe(Counts(nOut: 7, reported: 4, placed: 3, effective: 2, contacted: 1, participating: 2));
        january.InProvince.ShouldBe(Counts(nOut: 3, reported: 2, placed: 2, effective: 1, contacted: 1, participating: 1));
        january.OutOfProvince.ShouldBe(Counts(nOut: 4, reported: 2, placed: 1, effective: 1, contacted: 0, participating: 1));
        january.InProvince.CoverageRate!.Value.ShouldBe(2 / 3.0, 1e-9);
        january.OutOfProvince.CoverageRate.ShouldBe(0.25);
        january.NIn.ShouldBe(3); // reported at Pingliang's own stations: m1, m4, m5
        january.NInPlaced.ShouldBe(2);
        (january.CareVisitsOutflowYearToDate, january.CareVisitsInflowYearToDate).ShouldBe((1L, 1L));
        january.Targets.OrderBy(t => t.Metric).ShouldBe(
        [
            new TargetComparison(TargetMetric.InProvinceCoverage, 2025, 1.0m, 2 / 3.0, false),
            new TargetComparison(TargetMetric.OutOfProvinceCoverage, 2025, 0.3m, 0.25, false),
        ]);

        var lanzhou = (await _coverage.GetAsync(Lanzhou, "2025-01"))!;
        lanzhou.All.NOut.ShouldBe(0); // an inflow department counts no member of its own
        lanzhou.NIn.ShouldBe(1); // m2 reported at Chengguan
        // Chengguan's visit to m2 counts on its side: the outflow scope holds none of Lanzhou's members.
        (lanzhou.CareVisitsOutflowYearToDate, lanzhou.CareVisitsInflowYearToDate).ShouldBe((0L, 0L));
        (lanzhou.NInCareVisitsOutflowYearToDate, lanzhou.NInCareVisitsInflowYearToDate).ShouldBe((0L, 1L));
        var live = (await _coverage.GetAsync(Lanzhou))!;
        (live.NInCareVisitsOutflowYearToDate, live.NInCareVisitsInflowYearToDate).ShouldBe((0L, 1L));
        // City's own stations received m1 (visited by its branch) and m4, m5: the inflow scope of City's subtree.
        (january.NInCareVisitsOutflowYearToDate, january.NInCareVisitsInflowYearToDate).ShouldBe((1L, 0L));
    }

    [Fact]
    public async Task a_closed_month_gives_the_same_answer_after_later_and_late_recorded_events()
    {
        await _w.ReportAsync("m6", UrumqiStation, On(2025, 2, 3), OutflowActor(UrumqiStation)); // closes January
        await _w.CatchUpAsync();
        var january = await _coverage.GetAsync(City, "2025-01");
        (await _coverage.ClosedMonthsAsync()).ShouldBe(["2025-01"]);

        await _w.ReportAsync("m7", YantaStation, On(2025, 2, 10), OutflowActor(YantaStation));
        await _w.PlaceAsync("m7", XianLianhu, LianhuBranch, On(2025, 2, 12));
        // Recorded in February, dated in January: the report reached the system late.
        await _w.DoAsync(new Domain.Members.ReportAtInflow(Guid.NewGuid(), OutflowActor(LanzhouStation), On(2025, 2, 15), "m3",
            LanzhouStation, Domain.Members.ReportChannel.App, On(2025, 1, 20)));
        await _w.CatchUpAsync();

        ShouldBeSame(await _coverage.GetAsync(City, "2025-01"), january);
        var now = (await _coverage.GetAsync(City))!; // 20 March: m3's contact (20 Jan) is older than 30 days
        now.Frozen.ShouldBeFalse();
        now.InProvince.ShouldBe(Counts(nOut: 3, reported: 3, placed: 2, effective: 1, contacted: 0, participating: 1));
        now.OutOfProvince.ShouldBe(Counts(nOut: 4, reported: 4, placed: 2, effective: 1, contacted: 0, participating: 1));
        now.Targets.Single(t => t.Metric == TargetMetric.OutOfProvinceCoverage).Met.ShouldBeTrue();

        await _w.ActivityAsync("m7", LianhuBranch, InflowActor(LianhuBranch), On(2025, 3, 2)); // closes February
        await _w.CatchUpAsync();
        var february = (await _coverage.GetAsync(City, "2025-02"))!;
        february.Frozen.ShouldBeTrue();
        february.InProvince.ShouldBe(Counts(nOut: 3, reported: 3, placed: 2, effective: 1, contacted: 0, participating: 1));
        february.OutOfProvince.ShouldBe(Counts(nOut: 4, reported: 4, placed: 2, effective: 1, contacted: 0, participating: 1));

        await _w.ActivityAsync("m5", YinchuanStation, OutflowActor(YinchuanStation), On(2025, 2, 20), recordedAt: On(2025, 3, 5));
        await _w.CatchUpAsync();
        ShouldBeSame(await _coverage.GetAsync(City, "2025-02"), february);
        ShouldBeSame(await _coverage.GetAsync(City, "2025-01"), january);
        (await _coverage.GetAsync(City))!.OutOfProvince.Participating.ShouldBe(3); // m4, m5 (late, 20 Feb) and m7
    }

    [Fact]
    public async Task a_month_asked_before_it_closes_answers_as_of_its_end_and_the_same_once_closed()
    {
        await _w.CatchUpAsync();
        var clock = new FixedClock(On(2025, 2, 27));
        var coverage = new CoverageQuery(_w.DataSource, _w.Catalog, clock);
        var open = (await coverage.GetAsync(City, "2025-01"))!;
        open.Frozen.ShouldBeFalse();
        open.AsOf.ShouldBe(On(2025, 2, 1, 0));
        open.All.Contacted.ShouldBe(1); // m3's contact of 20 January is within 30 days of the month end, not of today

        await _w.ContactAsync("m6", OutflowActor(BranchB), On(2025, 2, 28)); // closes January
        await _w.CatchUpAsync();
        ShouldBeSame(await coverage.GetAsync(City, "2025-01"), open with { Frozen = true });
        var now = (await coverage.GetAsync(City))!;
        now.AsOf.ShouldBe(On(2025, 2, 28)); // the projection's clock is ahead of the query clock: never answer before it
        now.All.Contacted.ShouldBe(1); // m6 yes; m3 (20 Jan) no longer
    }

    [Fact]
    public async Task year_to_date_flows_restart_with_the_year_and_a_late_visit_stays_in_its_own_year()
    {
        await _w.RequestTransferAsync("m1", ChengguanBranch, OutflowActor(BranchA), On(2025, 2, 5));
        await _w.AcceptTransferAsync("m1", ChengguanBranch, On(2025, 2, 8));
        await _w.CareVisitAsync("m3", OutflowActor(BranchB), On(2025, 2, 10));
        await _w.CatchUpAsync();
        var march = (await _coverage.GetAsync(City))!;
        (march.CareVisitsOutflowYearToDate, march.CareVisitsInflowYearToDate).ShouldBe((2L, 1L)); // m1 (Jan), m3 (Feb); m2
        march.All.TransferredYearToDate.ShouldBe(1);

        await _w.CareVisitAsync("m4", InflowActor(LianhuBranch), On(2026, 1, 10)); // closes February to December
        // Recorded in January 2026, dated in December 2025.
        await _w.DoAsync(new Domain.Members.RecordCareVisit(Guid.NewGuid(), OutflowActor(BranchB), On(2026, 1, 12), "m5",
            Domain.Members.CareVisitKind.FestivalVisit, null, On(2025, 12, 20)));
        await _w.CatchUpAsync();

        var january = (await new CoverageQuery(_w.DataSource, _w.Catalog, new FixedClock(On(2026, 1, 20))).GetAsync(City))!;
        (january.CareVisitsOutflowYearToDate, january.CareVisitsInflowYearToDate).ShouldBe((0L, 1L));
        january.All.TransferredYearToDate.ShouldBe(0);
        var december = (await _coverage.GetAsync(City, "2025-12"))!;
        december.Frozen.ShouldBeTrue();
        (december.CareVisitsOutflowYearToDate, december.CareVisitsInflowYearToDate).ShouldBe((2L, 1L)); // without the late visit
        december.All.TransferredYearToDate.ShouldBe(1);
        (await _w.ScalarAsync<long>($"SELECT sum(care_outflow)::bigint FROM {_w.Catalog.SchemaOf(ProjectionNames.Coverage)}.ytd WHERE year = 2025 AND org_id = '{BranchB}' AND scope = 'out'"))
            .ShouldBe(2, "m3's February visit and m5's late one, on their outflow branch");
    }

    [Fact]
    public async Task a_month_before_any_event_is_empty_and_an_unknown_org_has_no_figures()
    {
        await _w.CatchUpAsync();
        var before = (await _coverage.GetAsync(City, "2024-06"))!;
        before.All.NOut.ShouldBe(0);
        before.All.CoverageRate.ShouldBeNull();
        (await _coverage.GetAsync("no-such-org")).ShouldBeNull();
        await Should.ThrowAsync<ArgumentException>(() => _coverage.GetAsync(City, "2025-13"));
    }

    [Fact]
    public async Task subtree_figures_add_up_from_the_children_and_follow_a_reparented_branch()
    {
        await _w.CatchUpAsync();
        var children = await _coverage.GetChildrenAsync(City);
        children.Single(c => c.OrgId == Kongtong).All.NOut.ShouldBe(7);
        (await _coverage.GetAsync(Kongtong))!.All.ShouldBe((await _coverage.GetAsync(City))!.All);
        (await _coverage.GetAsync(BranchB))!.All.NOut.ShouldBe(4);

        await _w.OrgAsync("pl-jc", "泾川县委", City, OrganizationKind.Committee, Domain.Common.Side.Outflow, "620821", On(2025, 3, 1));
        await _w.DoAsync(new ReparentOrganization(Guid.NewGuid(), OutflowActor(City), On(2025, 3, 2), BranchB, "pl-jc", On(2025, 3, 2)));
        await _w.CatchUpAsync();
        (await _coverage.GetAsync("pl-jc"))!.All.NOut.ShouldBe(4);
        (await _coverage.GetAsync(Kongtong))!.All.NOut.ShouldBe(3);
        (await _coverage.GetAsync(City))!.All.NOut.ShouldBe(7);
    }

    [Fact]
    public async Task the_flow_matrix_counts_open_episodes_from_outflow_to_inflow_region()
    {
        await _w.CatchUpAsync();
        var flows = new FlowMatrixQuery(_w.DataSource, _w.Catalog, new FixedClock(On(2025, 3, 20)));
        var cities = await flows.GetAsync(level: RegionLevel.City);
        cities.Cells.ShouldBe(
        [
            new FlowCell("6208", "6201", 3), // m1 (Lanzhou station), m2 (Chengguan), m3 (destination)
            new FlowCell("6208", "6101", 2), // m4 (Lianhu station), m7 (Yanta)
            new FlowCell("6208", "6401", 1),
            new FlowCell("6208", "6501", 1),
        ]);
        var provinces = await flows.GetAsync(level: RegionLevel.Province, toPrefix: "61");
        provinces.Cells.ShouldBe([new FlowCell("62", "61", 2)]);

        await _w.ReturnAsync("m6", OutflowActor(BranchB), On(2025, 2, 2)); // closes January, leaves the matrix
        await _w.CatchUpAsync();
        (await flows.GetAsync("2025-01", RegionLevel.Province)).Cells.ShouldBe([new FlowCell("62", "62", 3), new FlowCell("62", "61", 2), new FlowCell("62", "64", 1), new FlowCell("62", "65", 1)]);
        (await flows.GetAsync(level: RegionLevel.Province)).Total.ShouldBe(6);
    }

    [Fact]
    public async Task a_municipality_is_one_city_in_the_flow_matrix_whether_a_place_names_it_whole_or_by_district()
    {
        await _w.OrgAsync("sh-dept", "中共上海市委组织部", null, OrganizationKind.Department, Side.Inflow, "310000", On(2024, 1, 1));
        await _w.RegisterAsync("m-sh1", BranchA, "310115", On(2025, 3, 1));
        await _w.RegisterAsync("m-sh2", BranchA, "310115", On(2025, 3, 1));
        await _w.ReportAsync("m-sh2", "sh-dept", On(2025, 3, 5)); // its place is now the municipality's own code, 310000
        await _w.CatchUpAsync();

        var flows = new FlowMatrixQuery(_w.DataSource, _w.Catalog, new FixedClock(On(2025, 3, 20)));
        (await flows.GetAsync(level: RegionLevel.City, toPrefix: "31")).Cells.ShouldBe([new FlowCell("6208", "3101", 2)]);
        (await flows.GetAsync(level: RegionLevel.County, toPrefix: "31")).Cells.Select(c => c.To).Order().ShouldBe(["310000", "310115"]);
    }

    /// <summary>Records compare lists by reference; figures are the same when every value and every target is.</summary>
    internal static void ShouldBeSame(CoverageFigures? actual, CoverageFigures? expected)
    {
        actual.ShouldNotBeNull();
        expected.ShouldNotBeNull();
        (actual with { Targets = [] }).ShouldBe(expected with { Targets = [] });
        actual.Targets.ShouldBe(expected.Targets);
    }

    private static CoverageCounts Counts(long nOut, long reported, long placed, long effective, long contacted, long participating,
        long transferring = 0, long transferred = 0, long lost = 0)
    {
        double? Rate(long part, long whole) => whole == 0 ? null : (double)part / whole;
        return new CoverageCounts(nOut, reported, placed, effective, contacted, participating, transferring, transferred, lost,
            Rate(reported, nOut), Rate(placed, nOut), Rate(effective, nOut), Rate(transferring + transferred, nOut + transferred),
            Rate(contacted, nOut), Rate(participating, nOut));
    }
}

public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
}
