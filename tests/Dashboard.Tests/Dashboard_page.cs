using System.Globalization;
using System.Text.Json;
using CoManagement.Domain.Common;
using CoManagement.Host.Auth;
using Microsoft.Playwright;

namespace CoManagement.Dashboard.Tests;

/// <summary>
/// The dashboard in a real browser against the real Host: what it shows is what the public endpoints answer, for the
/// token it was given; a role's refused sections say so politely; an auditor replays a member and sees the chain check.
/// </summary>
public sealed class Dashboard_page(DashboardHost host) : IClassFixture<DashboardHost>
{
    private const string Pingliang = "pl";

    private static readonly string[] Risks = ["ReportOverdue", "ContactOverdue", "Idle", "LongIdle", "LostContact", "TransferExpected"];

    private static readonly (string Metric, string Group, string Rate)[] Gauges =
    [
        ("ReportRate", "all", "reportRate"), ("CoverageRate", "all", "coverageRate"), ("EffectiveCoverage", "all", "effectiveCoverageRate"),
        ("InProvinceCoverage", "inProvince", "coverageRate"), ("OutOfProvinceCoverage", "outOfProvince", "coverageRate"),
        ("ContactRate", "all", "contactRate"), ("ParticipationRate", "all", "participationRate"), ("TransferRate", "all", "transferRate"),
    ];

    [Fact]
    public async Task the_root_serves_the_page_and_its_scripts_with_a_strict_content_security_policy()
    {
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        using var page = await client.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        page.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        page.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("script-src 'self'");
        (await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("/js/dashboard.js");

        using var script = await client.GetAsync(new Uri("/js/dashboard.js", UriKind.Relative), TestContext.Current.CancellationToken);
        script.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        script.Content.Headers.ContentType!.MediaType.ShouldBe("text/javascript");
    }

    [Fact]
    public async Task organisation_staff_see_their_figures_exactly_as_the_endpoints_answer_and_a_polite_refusal_elsewhere()
    {
        var token = host.Token(Roles.OrgStaff, Pingliang, Side.Outflow);
        var (page, errors) = await host.OpenAsync($"/?token={token}");

        // The token left the address bar for the tab's sessionStorage.
        page.Url.ShouldNotContain("token=");
        (await page.EvaluateAsync<string>("() => sessionStorage.getItem('comanagement.token')")).ShouldBe(token);
        (await page.GetByTestId("identity-role").GetAttributeAsync("data-role")).ShouldBe(Roles.OrgStaff);

        await ReadyAsync(page, "coverage");
        await ReadyAsync(page, "risks");
        await ReadyAsync(page, "roster");

        var coverage = await host.GetJsonAsync(token, $"/api/coverage?org={Pingliang}");
        coverage.GetProperty("all").GetProperty("nOut").GetInt64().ShouldBeGreaterThan(0, "the tiny data set has Pingliang members");
        await CountShownAsync(page, "coverage-nout", coverage.GetProperty("all").GetProperty("nOut").GetInt64());
        await CountShownAsync(page, "coverage-reported", coverage.GetProperty("all").GetProperty("reported").GetInt64());
        await CountShownAsync(page, "coverage-placed", coverage.GetProperty("all").GetProperty("placed").GetInt64());
        await CountShownAsync(page, "coverage-effective", coverage.GetProperty("all").GetProperty("effectivelyCovered").GetInt64());
        await CountShownAsync(page, "coverage-lost", coverage.GetProperty("all").GetProperty("lostContact").GetInt64());
        await CountShownAsync(page, "coverage-nin", coverage.GetProperty("nIn").GetInt64());
        foreach (var (testId, field) in new[] { ("care-outflow", "careVisitsOutflowYearToDate"), ("care-inflow", "careVisitsInflowYearToDate"),
                     ("nin-care-outflow", "nInCareVisitsOutflowYearToDate"), ("nin-care-inflow", "nInCareVisitsInflowYearToDate") })
            await CountShownAsync(page, testId, coverage.GetProperty(field).GetInt64());
        await CountShownAsync(page, "inprov-nout", coverage.GetProperty("inProvince").GetProperty("nOut").GetInt64());
        await CountShownAsync(page, "outprov-nout", coverage.GetProperty("outOfProvince").GetProperty("nOut").GetInt64());
        foreach (var (metric, group, rate) in Gauges)
            await RateShownAsync(page, $"rate-{metric}", coverage.GetProperty(group).GetProperty(rate));
        foreach (var (key, rate) in new[] { ("report", "reportRate"), ("coverage", "coverageRate"), ("effective", "effectiveCoverageRate") })
        {
            await RateShownAsync(page, $"inprov-{key}", coverage.GetProperty("inProvince").GetProperty(rate));
            await RateShownAsync(page, $"outprov-{key}", coverage.GetProperty("outOfProvince").GetProperty(rate));
        }

        // Pingliang's year-end targets (in-province 100 %, out-of-province ≥ 30 %) are marked against the figures.
        var targets = coverage.GetProperty("targets").EnumerateArray().ToList();
        targets.Select(t => t.GetProperty("metric").GetString()).ShouldContain("OutOfProvinceCoverage");
        foreach (var target in targets)
        {
            var shown = page.GetByTestId($"target-{target.GetProperty("metric").GetString()}");
            double.Parse((await shown.GetAttributeAsync("data-target"))!, CultureInfo.InvariantCulture).ShouldBe(target.GetProperty("target").GetDouble());
            (await shown.GetAttributeAsync("data-met")).ShouldBe(target.GetProperty("met").GetBoolean() ? "true" : "false");
        }

        var children = await host.GetJsonAsync(token, $"/api/coverage/children?org={Pingliang}");
        (await page.GetByTestId("child-row").CountAsync()).ShouldBe(children.GetArrayLength());

        var risks = await host.GetJsonAsync(token, $"/api/risks?org={Pingliang}");
        foreach (var risk in Risks)
            await CountShownAsync(page, $"risk-count-{risk}", risks.GetProperty(char.ToLowerInvariant(risk[0]) + risk[1..]).GetInt64());

        var roster = await host.GetJsonAsync(token, $"/api/roster?org={Pingliang}&side=Outflow&sort=Name&page=1&pageSize=50");
        await CountShownAsync(page, "roster-pager-total", roster.GetProperty("total").GetInt64());
        (await page.GetByTestId("roster-row").CountAsync()).ShouldBe(roster.GetProperty("items").GetArrayLength());
        (await page.GetByTestId("roster-row").First.GetAttributeAsync("data-member"))
            .ShouldBe(roster.GetProperty("items")[0].GetProperty("memberId").GetString());

        // A window of 1,024 pixels shows every figure without scrolling sideways (the year's long labels wrap).
        await page.SetViewportSizeAsync(1024, 800);
        (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth")).ShouldBeTrue("no sideways scroll at 1024 px");

        // A region prefix the endpoint refuses is said so, not quietly dropped from the filter.
        await page.Locator("#roster-region").FillAsync("610");
        await page.Locator("#roster-region").DispatchEventAsync("change");
        await StateAsync(page, "roster", "error");
        await page.Locator("#roster-region").FillAsync("");
        await page.Locator("#roster-region").DispatchEventAsync("change");
        await ReadyAsync(page, "roster");

        // The flow matrix spans every organisation (analysts only), Pingliang is party to no agreement, and histories
        // are for auditors: each section says so instead of failing.
        await StateAsync(page, "flows", "forbidden");
        (await page.GetByTestId("flows-message").GetAttributeAsync("data-status")).ShouldBe("403");
        (await page.GetByTestId("flows-message").InnerTextAsync()).ShouldContain("无权查看");
        await ReadyAsync(page, "agreements");
        (await page.GetByTestId("agreements-message").InnerTextAsync()).ShouldContain("No agreement");

        // A status filter goes to the endpoint as the page's paging does.
        await page.Locator("#roster-status button[data-status=Placed]").ClickAsync();
        var placed = await host.GetJsonAsync(token, $"/api/roster?org={Pingliang}&side=Outflow&status=Placed&pageSize=50");
        await page.WaitForFunctionAsync(
            "n => document.querySelector('[data-testid=roster-section]').dataset.state === 'ready' && document.querySelector('[data-testid=roster-pager-total]')?.dataset.value === String(n)",
            placed.GetProperty("total").GetInt64());

        // A typed organisation outside the staff's subtree: refused, and the trail shows it alone, not under Pingliang.
        await page.Locator("#scope-org").FillAsync("gs");
        await page.Locator("#scope-apply").ClickAsync();
        await StateAsync(page, "coverage", "forbidden");
        (await page.Locator("#crumbs").InnerTextAsync()).Trim().ShouldBe("gs");
        (await page.GetByTestId("coverage-message").InnerTextAsync()).ShouldContain("所属范围");
        await page.Locator("#scope-org").FillAsync(Pingliang);
        await page.Locator("#scope-apply").ClickAsync();
        await ReadyAsync(page, "coverage");

        // Opening a member as staff: the roster row is there, the history is refused politely.
        await page.GetByTestId("roster-row").First.ClickAsync();
        await StateAsync(page, "timeline", "forbidden");
        (await page.GetByTestId("timeline-message").InnerTextAsync()).ShouldContain("审计");
        (await page.GetByTestId("roster-entry").CountAsync()).ShouldBe(1);

        // A closed month: the figures frozen at its end, as the endpoint answers them.
        var months = await host.GetJsonAsync(token, "/api/coverage/months");
        months.GetArrayLength().ShouldBeGreaterThan(0, "the seed closes the months it spans");
        var month = months[0].GetString()!;
        var frozen = await host.GetJsonAsync(token, $"/api/coverage?org={Pingliang}&month={month}");
        frozen.GetProperty("frozen").GetBoolean().ShouldBeTrue();
        frozen.GetProperty("all").GetProperty("nOut").GetInt64().ShouldBeGreaterThan(0, "a closed month holds the members outflowed by its end");
        await page.SelectOptionAsync("#scope-month", month);
        await page.WaitForFunctionAsync(
            "m => document.querySelector('[data-testid=coverage-section]').dataset.state === 'ready' && document.getElementById('coverage-asof').textContent.includes(m)",
            month);
        await CountShownAsync(page, "coverage-nout", frozen.GetProperty("all").GetProperty("nOut").GetInt64());
        await CountShownAsync(page, "coverage-placed", frozen.GetProperty("all").GetProperty("placed").GetInt64());
        await RateShownAsync(page, "rate-CoverageRate", frozen.GetProperty("all").GetProperty("coverageRate"));

        await DashboardHost.ScreenshotAsync(page, "dashboard-org-staff", "coverage", "risks", "roster", "flows", "timeline");
        errors.ShouldBeEmpty();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task an_analyst_sees_the_flow_matrix_and_an_agreements_bilateral_view_as_the_endpoints_answer()
    {
        var token = host.Token(Roles.Analyst, "gs", Side.Outflow);
        var (page, errors) = await host.OpenAsync($"/?token={token}");

        await ReadyAsync(page, "flows");
        var flows = await host.GetJsonAsync(token, "/api/flows?level=City");
        await CountShownAsync(page, "flows-total", flows.GetProperty("total").GetInt64());
        var cells = page.GetByTestId("flow-cell");
        (await cells.CountAsync()).ShouldBeGreaterThan(0);
        var drawn = await cells.EvaluateAllAsync<long[]>("cells => cells.map(c => Number(c.getAttribute('data-value')))");
        drawn.Sum().ShouldBe(flows.GetProperty("total").GetInt64(), "every member is in one cell of the picture");
        var biggest = flows.GetProperty("cells")[0];
        (await page.Locator($"[data-testid=flow-cell][data-from='{biggest.GetProperty("from").GetString()}'][data-to='{biggest.GetProperty("to").GetString()}']")
            .GetAttributeAsync("data-value")).ShouldBe(biggest.GetProperty("members").GetInt64().ToString(CultureInfo.InvariantCulture));

        await ReadyAsync(page, "agreements");
        await page.GetByTestId("agreement-select").SelectOptionAsync("meixian-liwan");
        await page.Locator("[data-testid=agreements-section][data-state=ready][data-agreement=meixian-liwan]").WaitForAsync();
        var view = await host.GetJsonAsync(token, "/api/agreements/meixian-liwan?set=All&page=1&pageSize=20");
        var totals = view.GetProperty("totals");
        await CountShownAsync(page, "agreement-members", totals.GetProperty("members").GetInt64());
        await CountShownAsync(page, "agreement-reported", totals.GetProperty("reported").GetInt64());
        await CountShownAsync(page, "agreement-placed", totals.GetProperty("placed").GetInt64());
        await CountShownAsync(page, "agreement-not-reported-past-duty", totals.GetProperty("notReportedPastDuty").GetInt64());
        await CountShownAsync(page, "agreement-found-by-inflow", totals.GetProperty("foundByInflow").GetInt64());
        await CountShownAsync(page, "agreement-overdue-items", view.GetProperty("overdueActionItems").GetInt64());
        foreach (var side in new[] { "outflow", "inflow" })
        {
            foreach (var action in new[] { "registrations", "reportsReceived", "placements", "contacts", "activities", "careVisits" })
                await CountShownAsync(page, $"side-{side}-{action}", totals.GetProperty(side).GetProperty(action).GetInt64());
        }
        (await page.GetByTestId("consultation").CountAsync()).ShouldBe(view.GetProperty("consultations").GetArrayLength());
        // Every item the heading counts as overdue carries the mark, also those completed late.
        (await page.Locator("[data-testid=action-item] .item-overdue").CountAsync())
            .ShouldBe(await page.Locator("[data-testid=action-item][data-overdue=true]").CountAsync());
        (await page.Locator("[data-testid=action-item][data-overdue=true]").CountAsync()).ShouldBe((int)view.GetProperty("overdueActionItems").GetInt64());
        (await page.GetByTestId("agreement-member-row").CountAsync()).ShouldBe(view.GetProperty("members").GetProperty("items").GetArrayLength());

        await DashboardHost.ScreenshotAsync(page, "dashboard-analyst", "flows", "agreements");
        errors.ShouldBeEmpty();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task an_auditor_opens_a_members_timeline_from_an_agreement_and_sees_the_chain_intact()
    {
        var token = host.Token(Roles.Auditor, "mz-mx", Side.Outflow);
        var (page, errors) = await host.OpenAsync($"/?token={token}&agreement=meixian-liwan");

        // Figures are not an auditor's: refused politely.
        await StateAsync(page, "coverage", "forbidden");
        (await page.GetByTestId("coverage-message").GetAttributeAsync("data-status")).ShouldBe("403");

        await page.Locator("[data-testid=agreements-section][data-state=ready][data-agreement=meixian-liwan]").WaitForAsync();
        var row = page.GetByTestId("agreement-member-row").First;
        var memberId = (await row.GetAttributeAsync("data-member"))!;
        await row.ClickAsync();
        await ReadyAsync(page, "timeline");

        var history = await host.GetJsonAsync(token, $"/api/audit/members/{memberId}/history");
        var verify = await host.GetJsonAsync(token, $"/api/audit/members/{memberId}/verify");
        verify.GetProperty("firstBroken").ValueKind.ShouldBe(JsonValueKind.Null);
        var badge = page.GetByTestId("verify-badge");
        (await badge.GetAttributeAsync("data-intact")).ShouldBe("true");
        (await badge.InnerTextAsync()).ShouldContain("chain intact");
        var events = history.GetProperty("events");
        (await page.GetByTestId("timeline-event").CountAsync()).ShouldBe(events.GetArrayLength());
        (await page.GetByTestId("timeline-version").GetAttributeAsync("data-value")).ShouldBe(history.GetProperty("version").GetInt64().ToString(CultureInfo.InvariantCulture));
        var first = page.GetByTestId("timeline-event").First;
        (await first.GetAttributeAsync("data-type")).ShouldBe(events[0].GetProperty("type").GetString());
        (await first.InnerTextAsync()).ShouldContain(events[0].GetProperty("hash").GetString()!);
        page.Url.ShouldEndWith($"#member={memberId}");

        await DashboardHost.ScreenshotAsync(page, "dashboard-auditor-timeline", "coverage", "timeline");
        errors.ShouldBeEmpty();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task an_altered_event_turns_the_badge_red_and_names_the_first_broken_link()
    {
        var analyst = host.Token(Roles.Analyst, "gs", Side.Outflow);
        var victim = (await host.GetJsonAsync(analyst, "/api/roster?org=pl&sort=Name&desc=true&pageSize=1")).GetProperty("items")[0].GetProperty("memberId").GetString()!;
        await host.ExecuteAsync($$"""
            ALTER TABLE {schema}.events DISABLE TRIGGER USER;
            UPDATE {schema}.events SET data = jsonb_set(data, '{destinationPlace}', '"伪造的去向"')
             WHERE stream_id = 'member-{{victim}}' AND version = 1;
            ALTER TABLE {schema}.events ENABLE TRIGGER USER;
            """);

        var token = host.Token(Roles.Auditor, "gs", Side.Outflow);
        var (page, errors) = await host.OpenAsync($"/?token={token}");
        await page.GetByTestId("member-input").FillAsync(victim);
        await page.GetByTestId("member-open").ClickAsync();
        await ReadyAsync(page, "timeline");

        var badge = page.GetByTestId("verify-badge");
        (await badge.GetAttributeAsync("data-intact")).ShouldBe("false");
        (await badge.GetAttributeAsync("data-broken-version")).ShouldBe("1");
        (await badge.InnerTextAsync()).ShouldContain("chain broken");
        var verify = await host.GetJsonAsync(token, $"/api/audit/members/{victim}/verify");
        (await page.GetByTestId("verify-reason").InnerTextAsync()).ShouldContain(verify.GetProperty("firstBroken").GetProperty("reason").GetString()!);
        (await page.Locator("[data-testid=timeline-event].broken").GetAttributeAsync("data-version")).ShouldBe("1");

        await DashboardHost.ScreenshotAsync(page, "dashboard-auditor-broken-chain", "timeline");
        errors.ShouldBeEmpty();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task without_a_token_the_page_asks_for_one_and_a_bad_one_is_refused_with_the_reason()
    {
        var (page, errors) = await host.OpenAsync("/");
        (await page.Locator("#token-panel").IsVisibleAsync()).ShouldBeTrue();
        await StateAsync(page, "coverage", "error");
        (await page.GetByTestId("coverage-message").GetAttributeAsync("data-status")).ShouldBe("401");

        await page.GetByTestId("token-input").FillAsync("not-a-token");
        await page.Locator("#token-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#token-error")).ToContainTextAsync("malformed");
        (await page.GetByTestId("coverage-message").GetAttributeAsync("data-status")).ShouldBe("401");
        errors.ShouldBeEmpty();
        await page.Context.CloseAsync();
    }

    private static Task ReadyAsync(IPage page, string section) => StateAsync(page, section, "ready");

    private static Task StateAsync(IPage page, string section, string state) =>
        page.Locator($"[data-testid={section}-section][data-state={state}]").WaitForAsync();

    /// <summary>The element holds the number (data-value) and shows it the way the page formats counts ("1,234").</summary>
    private static async Task CountShownAsync(IPage page, string testId, long expected)
    {
        var element = page.GetByTestId(testId);
        (await element.GetAttributeAsync("data-value")).ShouldBe(expected.ToString(CultureInfo.InvariantCulture), testId);
        (await element.TextContentAsync())!.Trim().ShouldBe(expected.ToString("N0", CultureInfo.InvariantCulture), testId);
    }

    /// <summary>A rate (a fraction, or null when there is nothing to divide by) shown as "85.7%" or "—".</summary>
    private static async Task RateShownAsync(IPage page, string testId, JsonElement expected)
    {
        var element = page.GetByTestId(testId);
        var value = await element.GetAttributeAsync("data-value");
        var text = (await element.TextContentAsync())!.Trim();
        if (expected.ValueKind == JsonValueKind.Null)
        {
            value.ShouldBe("", testId);
            text.ShouldBe("—", testId);
            return;
        }
        var rate = expected.GetDouble();
        double.Parse(value!, CultureInfo.InvariantCulture).ShouldBe(rate, testId);
        text.ShouldBe((rate * 100).ToString("F1", CultureInfo.InvariantCulture) + "%", testId);
    }
}
