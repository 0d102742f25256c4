using static CoManagement.Host.Tests.Scenario;

namespace CoManagement.Host.Tests;

/// <summary>Every malformed parameter is a 400 answered with ProblemDetails that names what was wrong.</summary>
public sealed class Bad_parameters(EmptyHostFixture host) : IClassFixture<EmptyHostFixture>
{
    public static TheoryData<string, string, string> Requests => new()
    {
        { "analyst", "/api/roster?page=0", "page" },
        { "analyst", "/api/roster?pageSize=501", "pageSize" },
        { "analyst", "/api/roster?page=abc", "page" },
        { "analyst", "/api/roster?side=Sideways", "side" },
        { "analyst", "/api/roster?side=7", "side" },
        { "analyst", "/api/roster?status=Asleep", "status" },
        { "analyst", "/api/roster?status=99", "status" },
        { "analyst", "/api/roster?sort=Height", "sort" },
        { "analyst", "/api/roster?risk=None", "risk" },
        { "analyst", "/api/roster?risk=ReportOverdue,Idle", "risk" },
        { "analyst", "/api/roster?region=6", "region" },
        { "analyst", "/api/roster?region=62ab", "region" },
        { "analyst", "/api/roster?inProvince=maybe", "inProvince" },
        { "analyst", "/api/roster?desc=sometimes", "desc" },
        { "analyst", "/api/roster?at=yesterday", "at" },
        { "analyst", $"/api/roster/{new string('x', 65)}", "memberId" },
        { "analyst", "/api/coverage", "org" },
        { "analyst", "/api/coverage?org=pl-dept&month=2025-13", "month" },
        { "analyst", "/api/coverage?org=pl-dept&month=june", "month" },
        { "analyst", "/api/coverage/children?org=pl-dept&month=2025-1", "month" },
        { "analyst", "/api/risks", "org" },
        { "analyst", "/api/risks/Sleepy", "risk" },
        { "analyst", "/api/risks/ReportOverdue?pageSize=0", "pageSize" },
        { "analyst", "/api/flows?level=Street", "level" },
        { "analyst", "/api/flows?from=4", "from" },
        { "analyst", "/api/flows?month=2025/06", "month" },
        { "analyst", "/api/agreements?pageSize=501", "pageSize" },
        { "analyst", "/api/agreements?page=0", "page" },
        { "analyst", "/api/agreements/ag-1?set=Some", "set" },
        { "analyst", "/api/agreements/ag-1?page=-1", "page" },
        { "auditor", "/api/audit/members/m-001/state?version=1&position=2", "at most one" },
        { "auditor", "/api/audit/members/m-001/state?version=-1", "negative" },
        { "auditor", "/api/audit/members/m-001/state?version=two", "version" },
        { "auditor", "/api/audit/members/m-001/state?businessTime=not-a-date", "businessTime" },
        { "auditor", "/api/audit/members/m-001/state?recordedTime=2025-02-30", "recordedTime" },
        { "auditor", "/api/audit/reads?limit=0", "limit" },
        { "auditor", "/api/audit/reads?before=x", "before" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task a_bad_parameter_is_a_400_problem_naming_it(string caller, string url, string named)
    {
        var (status, body, response) = await host.GetAsync(Callers[caller], url);

        status.ShouldBe(400, body.ToString());
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        body.GetProperty("status").GetInt32().ShouldBe(400);
        body.GetProperty("detail").GetString()!.ShouldContain(named);
    }

    [Theory]
    [InlineData("/api/roster?status=Asleep", "Outflowed, Reported, Placed")]
    [InlineData("/api/roster?status=placed&status=Asleep", "Outflowed, Reported, Placed")]
    [InlineData("/api/roster?side=Sideways", "Outflow, Inflow")]
    [InlineData("/api/risks/Sleepy?org=pl-dept", "give one of ReportOverdue, ContactOverdue")]
    public async Task a_name_an_enumeration_does_not_have_is_answered_with_the_names_it_has(string url, string names)
    {
        var (status, body, _) = await host.GetAsync(Analyst, url);

        status.ShouldBe(400, body.ToString());
        body.GetProperty("detail").GetString()!.ShouldContain(names);
        body.GetProperty("detail").GetString()!.ShouldNotContain("None");
    }

    [Fact]
    public async Task an_unknown_path_is_a_404_problem()
    {
        var (status, body, response) = await host.GetAsync(Analyst, "/api/nothing-here");

        status.ShouldBe(404);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        body.GetProperty("status").GetInt32().ShouldBe(404);
    }

    [Fact]
    public async Task an_unknown_organisation_is_a_404_problem_for_an_analyst()
    {
        var (status, body, _) = await host.GetAsync(Analyst, "/api/coverage?org=no-such-org");

        status.ShouldBe(404);
        body.GetProperty("detail").GetString()!.ShouldContain("no-such-org");
    }
}
