using System.Text.Json;
using CoManagement.Host.Auth;
using Npgsql;
using static CoManagement.Host.Tests.Scenario;

namespace CoManagement.Host.Tests;

public sealed class Auditor_endpoints(HostFixture host) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task a_members_history_lists_every_event_with_both_times_the_actor_and_the_hash()
    {
        var (status, body, _) = await host.GetAsync(Auditor, $"/api/audit/members/{Placed}/history");

        status.ShouldBe(200);
        body.GetProperty("version").GetInt64().ShouldBe(5);
        body.GetProperty("owningOrganization").GetString().ShouldBe(Kongtong);
        var events = body.GetProperty("events").EnumerateArray().ToList();
        events.Select(e => e.GetProperty("type").GetString()).ShouldBe(
            ["member.outflow-registered", "member.reported-at-inflow", "member.placed-in-branch", "member.contact-logged", "member.activity-attended"]);
        events.Select(e => e.GetProperty("version").GetInt64()).ShouldBe([1, 2, 3, 4, 5]);
        var report = events[1];
        report.GetProperty("businessTime").GetDateTimeOffset().ShouldBe(On(3, 10));
        report.GetProperty("recordedTime").GetDateTimeOffset().ShouldBeGreaterThan(On(3, 10));
        report.GetProperty("actor").GetString().ShouldBe("u-cg");
        report.GetProperty("organization").GetString().ShouldBe(Chengguan);
        report.GetProperty("side").GetString().ShouldBe("Inflow");
        report.GetProperty("hash").GetString()!.Length.ShouldBe(64);
        report.GetProperty("data").GetProperty("inflowOrgId").GetString().ShouldBe(Chengguan);
    }

    [Fact]
    public async Task id_and_phone_numbers_are_shown_to_an_auditor_above_the_owning_organisation_and_masked_for_others()
    {
        var (_, own, _) = await host.GetAsync(Auditor, $"/api/audit/members/{Placed}/history");
        var (_, outside, _) = await host.GetAsync(OutsideAuditor, $"/api/audit/members/{Placed}/history");

        own.GetProperty("masked").GetBoolean().ShouldBeFalse();
        var ownData = own.GetProperty("events")[0].GetProperty("data");
        ownData.GetProperty("idNumber").GetString().ShouldBe(PlacedIdNumber);
        ownData.GetProperty("contactPhone").GetString().ShouldBe(PlacedPhone);

        outside.GetProperty("masked").GetBoolean().ShouldBeTrue();
        var data = outside.GetProperty("events")[0].GetProperty("data");
        data.GetProperty("idNumber").GetString().ShouldBe("620802********0011");
        data.GetProperty("contactPhone").GetString().ShouldBe("138****0001");
        outside.GetRawText().ShouldNotContain(PlacedIdNumber);
        outside.GetRawText().ShouldNotContain(PlacedPhone);
    }

    [Fact]
    public async Task the_state_can_be_read_as_of_a_version_a_position_a_business_time_or_a_recorded_time()
    {
        var (_, history, _) = await host.GetAsync(Auditor, $"/api/audit/members/{Placed}/history");
        var events = history.GetProperty("events");
        var firstPosition = events[0].GetProperty("position").GetInt64();
        var secondRecorded = events[1].GetProperty("recordedTime").GetDateTimeOffset();

        async Task<(long Version, string Status)> StateAsync(string query)
        {
            var (status, body, _) = await host.GetAsync(Auditor, $"/api/audit/members/{Placed}/state{query}");
            status.ShouldBe(200, body.ToString());
            return (body.GetProperty("version").GetInt64(), body.GetProperty("state").GetProperty("status").GetString()!);
        }

        (await StateAsync("")).ShouldBe((5, "Placed"));
        (await StateAsync("?version=2")).ShouldBe((2, "Reported"));
        (await StateAsync($"?position={firstPosition}")).ShouldBe((1, "Outflowed"));
        (await StateAsync($"?businessTime={Uri.EscapeDataString(On(3, 15).ToString("O"))}")).ShouldBe((2, "Reported"));
        (await StateAsync($"?recordedTime={Uri.EscapeDataString(secondRecorded.ToString("O"))}")).ShouldBe((2, "Reported"));
    }

    [Fact]
    public async Task the_state_is_masked_for_an_auditor_outside_the_owning_organisation()
    {
        var (_, body, _) = await host.GetAsync(OutsideAuditor, $"/api/audit/members/{Placed}/state");

        body.GetProperty("masked").GetBoolean().ShouldBeTrue();
        body.GetProperty("state").GetProperty("idNumber").GetString().ShouldBe("620802********0011");
        body.GetProperty("state").GetProperty("episode").GetProperty("contactPhone").GetString().ShouldBe("138****0001");
    }

    [Fact]
    public async Task a_member_stream_and_the_whole_store_verify_intact()
    {
        var (status, member, _) = await host.GetAsync(Auditor, $"/api/audit/members/{Placed}/verify");
        status.ShouldBe(200);
        member.GetProperty("intact").GetBoolean().ShouldBeTrue();
        member.GetProperty("eventsChecked").GetInt64().ShouldBe(5);

        (status, var store, _) = await host.GetAsync(Auditor, "/api/audit/verify");
        status.ShouldBe(200);
        store.GetProperty("intact").GetBoolean().ShouldBeTrue();
        store.GetProperty("streamsChecked").GetInt64().ShouldBeGreaterThanOrEqualTo(13);
    }

    [Fact]
    public async Task seals_download_as_a_json_file()
    {
        await host.Services.GetRequiredService<EventStore.PostgresEventStore>().WriteSealAsync(TestContext.Current.CancellationToken);

        var (status, body, response) = await host.GetAsync(Auditor, "/api/audit/seals");

        status.ShouldBe(200);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        response.Content.Headers.ContentDisposition!.FileName!.ShouldStartWith("seals-");
        body.ValueKind.ShouldBe(JsonValueKind.Array);
        body.GetArrayLength().ShouldBeGreaterThanOrEqualTo(1);
        body[0].GetProperty("sealHash").GetString()!.Length.ShouldBe(64);
    }

    [Fact]
    public async Task an_unknown_member_is_a_404_problem()
    {
        var (status, body, response) = await host.GetAsync(Auditor, "/api/audit/members/m-nobody/history");

        status.ShouldBe(404);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        body.GetProperty("detail").GetString()!.ShouldContain("m-nobody");
    }

    [Fact]
    public async Task every_auditor_read_of_a_member_is_recorded_even_a_probe_for_an_unknown_one_or_one_out_of_scope()
    {
        var member = ReportedInXian;
        var outsideVerifies = $"SELECT count(*) FROM {{schema}}_host.audit_reads WHERE member_id = '{member}' AND user_id = 'u-au2' AND action = 'verify'";
        var before = await host.ScalarAsync<long>(outsideVerifies);
        await host.GetAsync(Auditor, $"/api/audit/members/{member}/history");
        await host.GetAsync(Auditor, $"/api/audit/members/{member}/state?version=1");
        (await host.GetAsync(OutsideAuditor, $"/api/audit/members/{member}/verify")).Status.ShouldBe(404);
        await host.GetAsync(Auditor, "/api/audit/members/m-probe/history");

        // The newest two (other tests read this member too): the Lanzhou auditor's verify, the newest, is not listed.
        var (_, reads, _) = await host.GetAsync(Auditor, $"/api/audit/reads?memberId={member}&limit=2");
        var rows = reads.EnumerateArray().Select(r => (
            User: r.GetProperty("userId").GetString(), Action: r.GetProperty("action").GetString(), Parameters: r.GetProperty("parameters").GetString())).ToList();
        rows.ShouldBe([("u-au", "state", "version=1"), ("u-au", "history", null)], "the Lanzhou auditor's read is not Pingliang's to list");
        (await host.ScalarAsync<long>(outsideVerifies)).ShouldBe(before + 1);
        (await host.ScalarAsync<long>("SELECT count(*) FROM {schema}_host.audit_reads WHERE member_id = 'm-probe'")).ShouldBe(1);
    }

    [Theory]
    [InlineData("history")]
    [InlineData("state")]
    [InlineData("verify")]
    public async Task a_member_outside_the_auditors_scope_is_answered_as_an_unknown_member_is(string read)
    {
        var (_, unknown, _) = await host.GetAsync(Auditor, $"/api/audit/members/m-nobody/{read}");
        var outOfScope = new[]
        {
            (OutsideAuditor, ReportedInXian), (OutsideAuditor, NeverReported), (BranchAuditor, NeverReported), (StrangerAuditor, Placed),
        };

        foreach (var (auditor, member) in outOfScope)
        {
            var (status, body, response) = await host.GetAsync(auditor, $"/api/audit/members/{member}/{read}");

            status.ShouldBe(404, $"{auditor.OrganizationId} reading {member}");
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            body.EnumerateObject().Select(p => p.Name).ShouldBe(unknown.EnumerateObject().Select(p => p.Name));
            body.GetProperty("title").GetString().ShouldBe(unknown.GetProperty("title").GetString());
            body.GetProperty("detail").GetString().ShouldBe(unknown.GetProperty("detail").GetString()!.Replace("m-nobody", member, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task an_auditor_reads_the_members_its_organisation_owns_or_an_inflow_auditor_those_reported_to_its_subtree()
    {
        async Task<int[]> StatusesAsync(Caller auditor) =>
            [.. await Task.WhenAll(new[] { Placed, ReportedInXian, NeverReported, Returned }
                .Select(async m => (await host.GetAsync(auditor, $"/api/audit/members/{m}/history")).Status))];

        (await StatusesAsync(Auditor)).ShouldBe([200, 200, 200, 200]);
        (await StatusesAsync(BranchAuditor)).ShouldBe([200, 200, 404, 404], "Kongtong owns the first two");
        (await StatusesAsync(OutsideAuditor)).ShouldBe([200, 404, 404, 200], "reported at Chengguan, under Lanzhou");
        (await StatusesAsync(StrangerAuditor)).ShouldBe([404, 404, 404, 404], "no such organisation, no one in scope");
    }

    [Fact]
    public async Task listing_the_audit_log_is_itself_logged_and_shows_only_reads_made_in_the_auditors_subtree()
    {
        await host.GetAsync(Auditor, $"/api/audit/members/{Returned}/state");
        await host.GetAsync(BranchAuditor, $"/api/audit/members/{Placed}/state");
        await host.GetAsync(OutsideAuditor, $"/api/audit/members/{Returned}/state");

        async Task<List<string>> ReadersAsync(Caller auditor)
        {
            var (status, body, _) = await host.GetAsync(auditor, "/api/audit/reads?limit=500");
            status.ShouldBe(200, body.ToString());
            return [.. body.EnumerateArray().Select(r => r.GetProperty("organizationId").GetString()!).Distinct()];
        }

        (await ReadersAsync(Auditor)).ShouldBe([PlDept, Kongtong], ignoreOrder: true);
        (await ReadersAsync(BranchAuditor)).ShouldBe([Kongtong]);
        (await ReadersAsync(OutsideAuditor)).ShouldBe([LzDept]);
        (await ReadersAsync(StrangerAuditor)).ShouldBeEmpty();
        (await host.ScalarAsync<long>("SELECT count(*) FROM {schema}_host.audit_reads WHERE user_id = 'u-au3' AND action = 'reads'")).ShouldBe(1);

        await host.GetAsync(OutsideAuditor, $"/api/audit/reads?memberId={Returned}");
        (await host.ScalarAsync<string>("SELECT parameters FROM {schema}_host.audit_reads WHERE user_id = 'u-au2' AND action = 'reads' ORDER BY id DESC LIMIT 1"))
            .ShouldBe($"memberId={Returned}");
    }

    [Fact]
    public async Task the_audit_log_refuses_updates_and_deletes()
    {
        await host.GetAsync(Auditor, $"/api/audit/members/{Placed}/verify");

        foreach (var sql in new[] { "UPDATE {schema}_host.audit_reads SET user_id = 'x'", "DELETE FROM {schema}_host.audit_reads", "TRUNCATE {schema}_host.audit_reads" })
        {
            var e = await Should.ThrowAsync<PostgresException>(() => host.ScalarAsync<object>(sql));
            e.MessageText.ShouldContain("append-only");
        }
        (await host.ScalarAsync<long>("SELECT count(*) FROM {schema}_host.audit_reads")).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task the_audit_log_is_listed_newest_first_and_paged_by_id()
    {
        for (var i = 0; i < 3; i++)
            await host.GetAsync(Auditor, $"/api/audit/members/{Returned}/verify");

        var (_, first, _) = await host.GetAsync(Auditor, $"/api/audit/reads?memberId={Returned}&limit=2");
        first.GetArrayLength().ShouldBe(2);
        var last = first[1].GetProperty("id").GetInt64();
        var (_, next, _) = await host.GetAsync(Auditor, $"/api/audit/reads?memberId={Returned}&limit=2&before={last}");
        next.EnumerateArray().ShouldAllBe(r => r.GetProperty("id").GetInt64() < last);
        first[0].GetProperty("id").GetInt64().ShouldBeGreaterThan(last);
    }
}
