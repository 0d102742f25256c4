using static CoManagement.Host.Tests.Scenario;

namespace CoManagement.Host.Tests;

/// <summary>
/// Every endpoint against every role, in scope and out of it. Staff naming an organisation outside their subtree or
/// the other side get 403; a member outside their scope is 404 (its existence does not leak); lists are filtered.
/// Auditors read members' records and agreements within their organisation's scope as staff do (the outside auditor is
/// on the inflow side of Lanzhou, the stranger's token names no organisation); the store's integrity is any auditor's.
/// </summary>
public sealed class Authorisation_matrix(HostFixture host) : IClassFixture<HostFixture>
{
    private const string Columns = "anonymous kongtong jingchuan pingliang chengguan yanta analyst auditor outside-auditor stranger-auditor";

    /// <summary>Expected status per caller, in the order of <see cref="Columns"/>.</summary>
    private static readonly (string Url, int[] Expected)[] Matrix =
    [
        ("/api/roster", [401, 200, 200, 200, 200, 200, 200, 403, 403, 403]),
        ($"/api/roster?org={PlDept}", [401, 403, 403, 200, 403, 403, 200, 403, 403, 403]),
        ($"/api/roster?org={Kongtong}", [401, 200, 403, 200, 403, 403, 200, 403, 403, 403]),
        ("/api/roster?side=Inflow", [401, 403, 403, 403, 200, 200, 200, 403, 403, 403]),
        ($"/api/roster/{Placed}", [401, 200, 404, 200, 200, 404, 200, 403, 403, 403]),
        ($"/api/roster/{ReportedInXian}", [401, 200, 404, 200, 404, 200, 200, 403, 403, 403]),
        ($"/api/coverage?org={PlDept}", [401, 403, 403, 200, 403, 403, 200, 403, 403, 403]),
        ($"/api/coverage?org={Kongtong}", [401, 200, 403, 200, 403, 403, 200, 403, 403, 403]),
        ($"/api/coverage/children?org={PlDept}", [401, 403, 403, 200, 403, 403, 200, 403, 403, 403]),
        ("/api/coverage/months", [401, 200, 200, 200, 200, 200, 200, 403, 403, 403]),
        ($"/api/risks?org={Jingchuan}", [401, 403, 200, 200, 403, 403, 200, 403, 403, 403]),
        ($"/api/risks/ReportOverdue?org={Jingchuan}", [401, 403, 200, 200, 403, 403, 200, 403, 403, 403]),
        ("/api/flows", [401, 403, 403, 403, 403, 403, 200, 403, 403, 403]),
        ("/api/agreements", [401, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        ($"/api/agreements?org={LzDept}", [401, 403, 403, 403, 403, 403, 200, 403, 200, 403]),
        ($"/api/agreements/{Agreement}", [401, 200, 200, 200, 200, 404, 200, 200, 200, 404]),
        ($"/api/audit/members/{Placed}/history", [401, 403, 403, 403, 403, 403, 403, 200, 200, 404]),
        ($"/api/audit/members/{Placed}/state?version=2", [401, 403, 403, 403, 403, 403, 403, 200, 200, 404]),
        ($"/api/audit/members/{Placed}/verify", [401, 403, 403, 403, 403, 403, 403, 200, 200, 404]),
        ($"/api/audit/members/{ReportedInXian}/history", [401, 403, 403, 403, 403, 403, 403, 200, 404, 404]),
        ($"/api/audit/members/{ReportedInXian}/state?version=1", [401, 403, 403, 403, 403, 403, 403, 200, 404, 404]),
        ($"/api/audit/members/{ReportedInXian}/verify", [401, 403, 403, 403, 403, 403, 403, 200, 404, 404]),
        ($"/api/audit/members/{NeverReported}/history", [401, 403, 403, 403, 403, 403, 403, 200, 404, 404]),
        ($"/api/audit/members/{Returned}/history", [401, 403, 403, 403, 403, 403, 403, 200, 200, 404]),
        ("/api/audit/verify", [401, 403, 403, 403, 403, 403, 403, 200, 200, 200]),
        ("/api/audit/seals", [401, 403, 403, 403, 403, 403, 403, 200, 200, 200]),
        ("/api/audit/reads", [401, 403, 403, 403, 403, 403, 403, 200, 200, 200]),
        ("/openapi/v1.json", [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        ("/health/live", [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ];

    public static TheoryData<string, string, int> Cases()
    {
        var data = new TheoryData<string, string, int>();
        var callers = Columns.Split(' ');
        foreach (var (url, expected) in Matrix)
        {
            for (var i = 0; i < callers.Length; i++)
                data.Add(url, callers[i], expected[i]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task each_role_gets_what_its_scope_allows(string url, string caller, int expected)
    {
        var (status, body, response) = await host.GetAsync(Callers[caller], url);

        status.ShouldBe(expected, body.ToString());
        if (status >= 400)
        {
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            body.GetProperty("status").GetInt32().ShouldBe(status);
        }
    }

    [Theory]
    [InlineData("kongtong", false)]
    [InlineData("pingliang", false)]
    [InlineData("chengguan", true)]
    [InlineData("analyst", true)]
    public async Task a_roster_row_is_masked_outside_the_owning_organisations_subtree(string caller, bool masked)
    {
        var (_, row, _) = await host.GetAsync(Callers[caller], $"/api/roster/{Placed}");

        row.GetProperty("idNumber").GetString().ShouldBe(masked ? "620802********0011" : PlacedIdNumber);
        row.GetProperty("phone").GetString().ShouldBe(masked ? "138****0001" : PlacedPhone);
    }

    [Theory]
    [InlineData("kongtong")]
    [InlineData("jingchuan")]
    [InlineData("chengguan")]
    [InlineData("yanta")]
    public async Task no_list_returns_a_member_outside_the_callers_scope(string caller)
    {
        var who = Callers[caller]!;
        var visible = caller switch
        {
            "kongtong" => new[] { Placed, ReportedInXian },
            "jingchuan" => [NeverReported, Returned],
            "chengguan" => [Placed, Returned],
            _ => [ReportedInXian],
        };
        foreach (var url in new[] { "/api/roster?pageSize=500", "/api/risks/ContactOverdue", "/api/risks/Idle" })
        {
            var (status, body, _) = await host.GetAsync(who, url);
            status.ShouldBe(200, body.ToString());
            body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("memberId").GetString()!).ShouldAllBe(id => visible.Contains(id), url);
        }
    }
}
