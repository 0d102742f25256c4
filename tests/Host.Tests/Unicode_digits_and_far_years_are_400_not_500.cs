using static CoManagement.Host.Tests.Scenario;

namespace CoManagement.Host.Tests;

/// <summary>
/// Values that passed the endpoints' checks and then failed deeper down, answered 500: <c>\d</c> in the patterns takes
/// any script's digits (full-width, Arabic-Indic) which the month parser and the region filter do not, <c>$</c> takes a
/// final newline, and a year of 0 or 9999 is no month whose end is a date. Each is a 400 naming the parameter, asked of
/// an organisation that exists so the check, not a 404, is what answers.
/// </summary>
public sealed class Unicode_digits_and_far_years_are_400_not_500(HostFixture host) : IClassFixture<HostFixture>
{
    public static TheoryData<string, string> Requests => new()
    {
        // a year outside 2000–2100
        { $"/api/coverage?org={PlDept}&month=0000-01", "month" },
        { $"/api/coverage?org={PlDept}&month=9999-12", "month" },
        { $"/api/coverage/children?org={PlDept}&month=9999-12", "month" },
        { "/api/flows?month=9999-12", "month" },
        // digits of other scripts: full-width ２, Arabic-Indic ٠١
        { $"/api/coverage?org={PlDept}&month=%EF%BC%92026-01", "month" },
        { $"/api/coverage/children?org={PlDept}&month=2026-%D9%A0%D9%A1", "month" },
        { "/api/flows?month=2026-%D9%A0%D9%A1", "month" },
        { $"/api/roster?org={PlDept}&region=%EF%BC%96%EF%BC%92", "region" },
        { "/api/flows?from=%EF%BC%96%EF%BC%92", "from" },
        { "/api/flows?to=62%D9%A0%D9%A1", "to" },
        // a final newline
        { $"/api/coverage?org={PlDept}&month=2025-03%0A", "month" },
        { $"/api/roster?org={PlDept}&region=62%0A", "region" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task is_a_400_problem_naming_the_parameter(string url, string named)
    {
        var (status, body, response) = await host.GetAsync(Analyst, url);

        status.ShouldBe(400, body.ToString());
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        body.GetProperty("detail").GetString()!.ShouldContain(named);
    }
}
