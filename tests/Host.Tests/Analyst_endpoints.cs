using System.Text.Json;
using CoManagement.Projections.Common;
using static CoManagement.Host.Tests.Scenario;

namespace CoManagement.Host.Tests;

public sealed class Analyst_endpoints(HostFixture host) : IClassFixture<HostFixture>
{
    private async Task<(long Total, List<string> Ids)> RosterAsync(string query, Caller? caller = null)
    {
        var (status, body, _) = await host.GetAsync(caller ?? Analyst, "/api/roster" + query);
        status.ShouldBe(200, body.ToString());
        return (body.GetProperty("total").GetInt64(), [.. body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("memberId").GetString()!)]);
    }

    [Fact]
    public async Task the_roster_pages_and_sorts()
    {
        var (total, first) = await RosterAsync($"?org={PlDept}&sort=RegisteredAt&pageSize=2");
        var (_, second) = await RosterAsync($"?org={PlDept}&sort=RegisteredAt&pageSize=2&page=2");
        var (_, descending) = await RosterAsync($"?org={PlDept}&sort=RegisteredAt&desc=true&pageSize=4");

        total.ShouldBe(4);
        first.ShouldBe([NeverReported, Returned]);
        second.ShouldBe([ReportedInXian, Placed]);
        descending.ShouldBe([Placed, ReportedInXian, Returned, NeverReported]);
    }

    [Fact]
    public async Task the_roster_filters_by_subtree_status_region_province_and_risk()
    {
        (await RosterAsync($"?org={Kongtong}")).Ids.ShouldBe([Placed, ReportedInXian], ignoreOrder: true);
        (await RosterAsync($"?org={PlDept}&status=Placed")).Ids.ShouldBe([Placed]);
        (await RosterAsync($"?org={PlDept}&status=Placed&status=Reported")).Ids.ShouldBe([Placed, ReportedInXian], ignoreOrder: true);
        (await RosterAsync($"?org={PlDept}&region=6101")).Ids.ShouldBe([ReportedInXian]);
        (await RosterAsync($"?org={PlDept}&inProvince=false")).Ids.ShouldBe([ReportedInXian]);
        (await RosterAsync($"?org={PlDept}&risk=ReportOverdue")).Ids.ShouldBe([NeverReported]);
        (await RosterAsync($"?side=Inflow&org={LzDept}")).Ids.ShouldContain(Placed);
        (await RosterAsync($"?side=Inflow&org={LzDept}")).Ids.ShouldNotContain(ReportedInXian);
    }

    [Fact]
    public async Task the_inflow_side_with_no_organisation_lists_every_member_with_an_inflow_place()
    {
        (await RosterAsync("?side=Inflow")).Ids.ShouldBe([Placed, ReportedInXian, Returned], ignoreOrder: true);
        (await RosterAsync("?side=Outflow")).Ids.ShouldContain(NeverReported);
        var (status, list, _) = await host.GetAsync(Analyst, "/api/risks/ReportOverdue?side=Inflow");
        status.ShouldBe(200, list.ToString());
        list.GetProperty("total").GetInt64().ShouldBe(0, "never reported, so on no inflow side");
    }

    [Fact]
    public async Task enumeration_names_are_taken_in_any_case_as_on_the_bus()
    {
        (await RosterAsync($"?org={PlDept}&status=placed&STATUS=reported&sort=registeredat")).Ids
            .ShouldBe((await RosterAsync($"?org={PlDept}&status=Placed&status=Reported&sort=RegisteredAt")).Ids);
        (await RosterAsync($"?side=inflow&org={LzDept}")).Ids.ShouldContain(Placed);
        (await RosterAsync($"?org={PlDept}&risk=reportoverdue")).Ids.ShouldBe([NeverReported]);

        var (status, list, _) = await host.GetAsync(JingchuanStaff, "/api/risks/REPORTOVERDUE");
        status.ShouldBe(200, list.ToString());
        list.GetProperty("total").GetInt64().ShouldBe((await host.GetAsync(JingchuanStaff, "/api/risks/ReportOverdue")).Body.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task the_roster_masks_numbers_for_analysts_and_inflow_staff_but_not_for_the_owning_side()
    {
        async Task<JsonElement> RowAsync(Caller caller, string query = "")
        {
            var (status, body, _) = await host.GetAsync(caller, "/api/roster" + query);
            status.ShouldBe(200, body.ToString());
            return body.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("memberId").GetString() == Placed);
        }

        foreach (var owner in new[] { KongtongStaff, PingliangStaff })
        {
            var row = await RowAsync(owner);
            row.GetProperty("idNumber").GetString().ShouldBe(PlacedIdNumber);
            row.GetProperty("phone").GetString().ShouldBe(PlacedPhone);
        }
        foreach (var (caller, query) in new[] { (Analyst, $"?org={PlDept}"), (ChengguanStaff, "") })
        {
            var row = await RowAsync(caller, query);
            row.GetProperty("idNumber").GetString().ShouldBe("620802********0011");
            row.GetProperty("phone").GetString().ShouldBe("138****0001");
        }
    }

    [Fact]
    public async Task inflow_staff_see_only_members_who_reported_to_their_subtree()
    {
        (await RosterAsync("", ChengguanStaff)).Ids.ShouldContain(Placed);
        (await RosterAsync("", ChengguanStaff)).Ids.ShouldNotContain(ReportedInXian);
        (await RosterAsync("", ChengguanStaff)).Ids.ShouldNotContain(NeverReported);
        (await RosterAsync("", YantaStaff)).Ids.ShouldBe([ReportedInXian]);
    }

    [Fact]
    public async Task one_roster_row_is_found_by_member_id()
    {
        var (status, body, _) = await host.GetAsync(KongtongStaff, $"/api/roster/{Placed}");

        status.ShouldBe(200);
        body.GetProperty("status").GetString().ShouldBe("Placed");
        body.GetProperty("inflowOrgId").GetString().ShouldBe(Chengguan);
        body.GetProperty("branchId").GetString().ShouldBe(ChengguanBranch);
    }

    [Fact]
    public async Task coverage_counts_each_member_once_on_the_outflow_side()
    {
        var (status, body, _) = await host.GetAsync(Analyst, $"/api/coverage?org={PlDept}");

        status.ShouldBe(200, body.ToString());
        var all = body.GetProperty("all");
        all.GetProperty("nOut").GetInt64().ShouldBe(3);
        all.GetProperty("reported").GetInt64().ShouldBe(2);
        all.GetProperty("placed").GetInt64().ShouldBe(1);
        body.GetProperty("inProvince").GetProperty("nOut").GetInt64().ShouldBe(2);
        body.GetProperty("outOfProvince").GetProperty("nOut").GetInt64().ShouldBe(1);

        var (_, inflow, _) = await host.GetAsync(Analyst, $"/api/coverage?org={LzDept}");
        inflow.GetProperty("nIn").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task coverage_drills_down_to_the_children_and_lists_closed_months()
    {
        var (status, body, _) = await host.GetAsync(PingliangStaff, $"/api/coverage/children?org={PlDept}");
        status.ShouldBe(200, body.ToString());
        body.EnumerateArray().Select(c => c.GetProperty("orgId").GetString()).ShouldBe([Kongtong, Jingchuan], ignoreOrder: true);

        (status, var months, _) = await host.GetAsync(Analyst, "/api/coverage/months");
        status.ShouldBe(200);
        months.ValueKind.ShouldBe(JsonValueKind.Array);
    }

    [Fact]
    public async Task a_month_that_has_not_begun_is_refused_and_the_open_month_is_answered_live()
    {
        var open = Months.Of(DateTimeOffset.UtcNow);
        var next = Months.Format(open.AddMonths(1));

        foreach (var url in new[]
        {
            $"/api/coverage?org={PlDept}&month={next}", $"/api/coverage?org={PlDept}&month=2030-01",
            $"/api/coverage/children?org={PlDept}&month={next}", $"/api/flows?month={next}",
        })
        {
            var (refused, problem, _) = await host.GetAsync(Analyst, url);
            refused.ShouldBe(400, url);
            problem.GetProperty("detail").GetString()!.ShouldContain("has not begun", Case.Sensitive, url);
        }

        var (status, body, _) = await host.GetAsync(Analyst, $"/api/coverage?org={PlDept}&month={Months.Format(open)}");
        status.ShouldBe(200, body.ToString());
        body.GetProperty("frozen").GetBoolean().ShouldBeFalse();
        body.GetProperty("all").GetProperty("nOut").GetInt64().ShouldBe(3);
        (await host.GetAsync(Analyst, $"/api/flows?month={Months.Format(open)}")).Body.GetProperty("total").GetInt64().ShouldBe(3);
    }

    [Fact]
    public async Task the_flow_matrix_counts_open_episodes_by_region()
    {
        var (status, body, _) = await host.GetAsync(Analyst, "/api/flows?level=Province");

        status.ShouldBe(200, body.ToString());
        body.GetProperty("total").GetInt64().ShouldBe(3);
        var cells = body.GetProperty("cells").EnumerateArray()
            .ToDictionary(c => (c.GetProperty("from").GetString(), c.GetProperty("to").GetString()), c => c.GetProperty("members").GetInt64());
        cells[("62", "62")].ShouldBe(2);
        cells[("62", "61")].ShouldBe(1);

        (_, body, _) = await host.GetAsync(Analyst, "/api/flows?level=County&to=6101");
        body.GetProperty("cells").EnumerateArray().ShouldAllBe(c => c.GetProperty("to").GetString()!.StartsWith("6101"));
    }

    [Fact]
    public async Task risk_lists_and_counts_are_judged_now_or_at_a_later_instant()
    {
        var later = DateTimeOffset.UtcNow.AddDays(30);
        var (status, counts, _) = await host.GetAsync(Analyst, $"/api/risks?org={PlDept}");
        status.ShouldBe(200, counts.ToString());
        counts.GetProperty("reportOverdue").GetInt64().ShouldBe(1);

        var (_, list, _) = await host.GetAsync(JingchuanStaff, "/api/risks/ReportOverdue");
        list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("memberId").GetString()).ShouldBe([NeverReported]);

        (status, counts, _) = await host.GetAsync(Analyst, $"/api/risks?org={PlDept}&at={Uri.EscapeDataString(later.ToString("O"))}");
        status.ShouldBe(200, counts.ToString());
        counts.GetProperty("at").GetDateTimeOffset().ShouldBe(later);
        // Within a minute behind the server's clock is taken: a client's clock may run behind.
        (await host.GetAsync(Analyst, $"/api/risks?org={PlDept}&at={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddSeconds(-20).ToString("O"))}")).Status.ShouldBe(200);
    }

    [Theory]
    [InlineData("/api/risks?org=pl-dept&at={0}")]
    [InlineData("/api/risks/ReportOverdue?org=pl-dept&at={0}")]
    [InlineData("/api/roster?org=pl-dept&risk=ReportOverdue&at={0}")]
    [InlineData("/api/roster?org=pl-dept&at={0}")]
    public async Task a_past_instant_is_refused_as_the_current_rows_cannot_say_what_was_true_then(string url)
    {
        // The current rows would answer as if every contact, report and registration up to now had happened by then;
        // the year 1 also took the thresholds below the first instant there is (a 500).
        foreach (var past in new[] { On(6, 1), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.MinValue })
        {
            var (status, body, response) = await host.GetAsync(Analyst, string.Format(System.Globalization.CultureInfo.InvariantCulture, url, Uri.EscapeDataString(past.ToString("O"))));

            status.ShouldBe(400, body.ToString());
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            body.GetProperty("detail").GetString()!.ShouldContain("in the past");
            body.GetProperty("detail").GetString()!.ShouldContain("/api/coverage?month=");
        }
    }

    [Fact]
    public async Task agreements_are_listed_and_one_shows_its_bilateral_audit_view()
    {
        var (status, list, _) = await host.GetAsync(Analyst, "/api/agreements");
        status.ShouldBe(200, list.ToString());
        list.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("agreementId").GetString()).ShouldBe([Agreement]);
        list.GetProperty("total").GetInt64().ShouldBe(1);
        (await host.GetAsync(Analyst, "/api/agreements?page=2")).Body.GetProperty("items").GetArrayLength().ShouldBe(0);
        (await host.GetAsync(Analyst, $"/api/agreements?org={LzDept}")).Body.GetProperty("total").GetInt64().ShouldBe(1);
        var (unknown, problem, _) = await host.GetAsync(Analyst, "/api/agreements?org=nope");
        unknown.ShouldBe(404, problem.ToString());
        problem.GetProperty("detail").GetString()!.ShouldContain("nope");

        var (_, view, _) = await host.GetAsync(Analyst, $"/api/agreements/{Agreement}");
        view.GetProperty("agreement").GetProperty("outflowDepartmentId").GetString().ShouldBe(PlDept);
        var members = view.GetProperty("members").GetProperty("items").EnumerateArray().ToList();
        members.Select(m => m.GetProperty("memberId").GetString()).ShouldContain(Placed);
        members.Select(m => m.GetProperty("memberId").GetString()).ShouldNotContain(ReportedInXian);
        var placed = members.Single(m => m.GetProperty("memberId").GetString() == Placed);
        placed.GetProperty("reportReceivedByOrg").GetString().ShouldBe(Chengguan);
        placed.GetProperty("idNumber").GetString().ShouldBe("620802********0011");

        var (_, own, _) = await host.GetAsync(PingliangStaff, $"/api/agreements/{Agreement}");
        own.GetProperty("members").GetProperty("items").EnumerateArray()
            .Single(m => m.GetProperty("memberId").GetString() == Placed).GetProperty("idNumber").GetString().ShouldBe(PlacedIdNumber);
    }

    [Fact]
    public async Task an_auditor_opening_an_agreement_view_is_recorded()
    {
        await host.GetAsync(Auditor, $"/api/agreements/{Agreement}");

        (await host.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}_host.audit_reads WHERE action = 'agreement' AND parameters = 'agreementId={Agreement}'"))
            .ShouldBeGreaterThanOrEqualTo(1);
    }
}
