using CoManagement.Application;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Domain.Organizations;
using Microsoft.Extensions.DependencyInjection;
using static CoManagement.Host.Tests.Scenario;

namespace CoManagement.Host.Tests;

/// <summary>
/// A later <c>at</c> answers who will be overdue by then if nothing happens: a member registered ten days ago is not
/// report overdue now and is 90 days on. (The scenario's 2025 dates are all overdue already, so it cannot show this.)
/// </summary>
public sealed class Risks_at_a_later_instant(EmptyHostFixture host) : IClassFixture<EmptyHostFixture>
{
    [Fact]
    public async Task a_member_registered_recently_is_report_overdue_at_an_instant_past_the_threshold()
    {
        var handler = host.Services.GetRequiredService<CommandHandler>();
        var now = DateTimeOffset.UtcNow;
        var admin = new Actor("admin", "tw-dept", Side.Outflow);
        async Task Run(ICommand command)
        {
            var result = await handler.HandleAsync(command);
            result.Accepted.ShouldBeTrue($"{command.GetType().Name}: {result.ReasonCode} {result.Message}");
        }
        await Run(new CreateOrganization(Guid.NewGuid(), admin, now, "tw-dept", "tw-dept", null, OrganizationKind.Department, Side.Outflow, "620800", now.AddYears(-1)));
        await Run(new CreateOrganization(Guid.NewGuid(), admin, now, "tw-branch", "tw-branch", "tw-dept", OrganizationKind.Branch, Side.Outflow, "620802", now.AddYears(-1)));
        await Run(new RegisterOutflow(Guid.NewGuid(), admin, now, "m-recent", "钱七", "620802199505050055", "tw-branch", OutflowReason.Work,
            "610113", "西安市雁塔区", "某公司", "13800000005", null, now.AddDays(-12), now.AddDays(-10)));

        async Task<long> OverdueAsync(DateTimeOffset? at)
        {
            var (status, body, _) = await host.GetAsync(Analyst, "/api/risks?org=tw-dept" + (at is { } t ? "&at=" + Uri.EscapeDataString(t.ToString("O")) : ""));
            status.ShouldBe(200, body.ToString());
            return body.GetProperty("reportOverdue").GetInt64();
        }

        (await OverdueAsync(null)).ShouldBe(0);
        (await OverdueAsync(now.AddDays(60))).ShouldBe(0);
        (await OverdueAsync(now.AddDays(90))).ShouldBe(1);
        var (_, list, _) = await host.GetAsync(Analyst, $"/api/risks/ReportOverdue?org=tw-dept&at={Uri.EscapeDataString(now.AddDays(90).ToString("O"))}");
        list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("memberId").GetString()).ShouldBe(["m-recent"]);
    }
}
