using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Domain.Organizations;
using CoManagement.Host.Seeding;

namespace CoManagement.Seeding.Tests;

public sealed class Seeding_in_bulk
{
    private static readonly DateTimeOffset Now = SeedSchema.Anchor;

    [Fact]
    public async Task bulk_imported_members_fold_and_take_their_next_command_and_the_store_verifies_intact()
    {
        await using var schema = new SeedSchema();

        var summary = await schema.SeedAsync("bulk-tiny");

        summary.Path.ShouldBe(SeedPath.Bulk);
        summary.Rejections.ShouldBeEmpty();
        var contents = await schema.ContentsAsync();
        contents.Members.Count.ShouldBe((int)DemoSeeder.CountMembers("bulk-tiny"));
        var directory = contents.Directory;
        foreach (var (id, state) in contents.Members)
        {
            var next = FollowUp(id, state, directory);
            var decision = Member.Decide(next, state, directory, DomainSettings.Default);
            decision.Rejection.ShouldBeNull($"{id} ({state.Status}) refused {next.GetType().Name}");
            decision.Events.ShouldNotBeEmpty();
        }

        var report = await schema.Store.VerifyStoreAsync(ct: TestContext.Current.CancellationToken);
        report.Intact.ShouldBeTrue(report.FirstBroken?.Reason);
        report.EventsChecked.ShouldBe(contents.Events.Count);
        (await schema.RowsAsync("roster", "roster")).ShouldBe(contents.Members.Count, "the inline roster is rebuilt after the import");
        (await schema.RowsAsync("orgs", "orgs")).ShouldBe(contents.Organisations.Count, "organisations went through the handler's inline projection");
    }

    [Fact]
    public async Task bulk_histories_cover_the_lifecycle()
    {
        await using var schema = new SeedSchema();
        await schema.SeedAsync("bulk-tiny");

        var contents = await schema.ContentsAsync();

        var statuses = contents.Members.Values.Select(m => m.Status).ToHashSet();
        new[] { MemberStatus.Outflowed, MemberStatus.Reported, MemberStatus.Placed, MemberStatus.Returned, MemberStatus.Transferred }.ShouldBeSubsetOf(statuses);
        var types = contents.Events.Select(e => e.Type).ToHashSet();
        new[] { "member.outflow-registered", "member.reported-at-inflow", "member.placed-in-branch", "member.contact-logged",
            "member.activity-attended", "member.care-visit-recorded", "member.appraisal-recorded", "member.moved-on",
            "member.transfer-requested", "member.transfer-accepted", "member.returned", "member.lost-contact-marked" }.ShouldBeSubsetOf(types);
        contents.Members.Values.ShouldContain(m => m.OpenEpisode != null && m.OpenEpisode.ReportedAt == null && Now - m.OpenEpisode.DepartedAt > TimeSpan.FromDays(90),
            "some members are unreported past 90 days");
        contents.Events.Where(e => e.Type == "member.outflow-registered").ShouldContain(e => e.Metadata.Side == nameof(Side.Inflow),
            "some members were found and registered by the inflow side");
    }

    [Fact]
    public async Task member_events_reach_the_feed_month_by_month_so_each_closed_month_holds_what_happened_by_its_end()
    {
        await using var schema = new SeedSchema();
        await schema.SeedAsync("bulk-tiny");
        var contents = await schema.ContentsAsync();

        SeedSchema.MemberEventMonths(contents).ShouldBeInOrder();
        var months = await schema.ClosedMonthsAgainstTheEventsAsync(contents);
        months.Count.ShouldBeGreaterThan(12);
        months.ShouldAllBe(m => m.Frozen == m.Folded && m.Frozen > 0);
    }

    [Fact]
    public async Task an_interrupted_bulk_seed_completes_its_part_written_members_when_run_again()
    {
        await using var whole = new SeedSchema();
        await whole.SeedAsync("bulk-tiny");
        var expected = SeedSchema.Digest(await whole.AllEventsAsync());
        await using var interrupted = new SeedSchema();
        await interrupted.SeedAsync("bulk-tiny");
        // What a run stopped after some import calls leaves: every member's events after a business time gone.
        var all = await interrupted.AllEventsAsync();
        var cut = all.Where(e => e.StreamId.StartsWith("member-", StringComparison.Ordinal)).ElementAt(all.Count / 2).Position;
        await interrupted.ExecuteAsync($"""
            ALTER TABLE {interrupted.Schema}.events DISABLE TRIGGER USER;
            DELETE FROM {interrupted.Schema}.events WHERE position > {cut} AND stream_id LIKE 'member-%';
            ALTER TABLE {interrupted.Schema}.events ENABLE TRIGGER USER;
            """);

        var again = await interrupted.SeedAsync("bulk-tiny");

        again.Rejections.ShouldBeEmpty();
        again.Members.ShouldBeGreaterThan(0);
        again.MembersSkipped.ShouldBeGreaterThan(0);
        (again.Members + again.MembersSkipped).ShouldBe((int)DemoSeeder.CountMembers("bulk-tiny"));
        SeedSchema.Digest(await interrupted.AllEventsAsync()).ShouldBe(expected);
    }

    [Fact]
    public async Task progress_rises_through_deciding_importing_and_rebuilding_and_ends_at_its_total()
    {
        await using var schema = new SeedSchema();
        var reports = new List<(long Done, long Total)>();

        await schema.SeedAsync("bulk-tiny", progress: new Recorder(reports));

        reports.Select(r => r.Total).Distinct().ShouldHaveSingleItem();
        var total = reports[0].Total;
        reports.Select(r => r.Done).ShouldBeInOrder();
        reports[^1].Done.ShouldBe(total);
        // Units: a reference command each, then a member each for deciding, for importing and for the roster's rebuild.
        var members = DemoSeeder.CountMembers("bulk-tiny");
        var (decided, imported) = (total - (2 * members), total - members);
        reports.ShouldContain(r => r.Done == decided);
        reports.ShouldContain(r => r.Done == imported);
        reports.Count(r => r.Done > decided && r.Done < imported).ShouldBeGreaterThan(3, "the import reports as it goes");
    }

    private sealed class Recorder(List<(long Done, long Total)> reports) : IProgress<(long Done, long Total)>
    {
        public void Report((long Done, long Total) value)
        {
            lock (reports)
                reports.Add(value);
        }
    }

    [Fact]
    public void the_sizes_have_the_articles_scale()
    {
        DemoSeeder.CountMembers("demo").ShouldBe(8204);
        DemoSeeder.CountMembers("1m").ShouldBe(1_000_000);
        DemoSeeder.CountMembers("250k").ShouldBe(250_000);
        Should.Throw<ArgumentException>(() => DemoSeeder.CountMembers("huge"));
    }

    /// <summary>A command that any member in this state must accept: a wrong-state rejection means a broken history.</summary>
    private static IMemberCommand FollowUp(string id, MemberState state, OrgDirectory directory)
    {
        var e = state.Episode!;
        var at = Now.AddMinutes(-1);
        // The formal branch's staff; after a transfer that branch may sit on the inflow side.
        var outflow = new Actor("test", state.FormalOrgId!, directory.Find(state.FormalOrgId!)!.Side);
        return state.Status switch
        {
            MemberStatus.Outflowed or MemberStatus.Reported or MemberStatus.Placed =>
                new LogContact(Guid.NewGuid(), outflow, Now, id, ContactMethod.Phone, null, at),
            MemberStatus.Transferring => new AcceptTransfer(Guid.NewGuid(), new Actor("test", e.TransferToOrgId!, Side.Inflow), Now, id, at),
            MemberStatus.LostContact => new MarkFound(Guid.NewGuid(), outflow, Now, id, at),
            MemberStatus.Suspended => new RestoreMembership(Guid.NewGuid(), outflow, Now, id, at),
            MemberStatus.Returned or MemberStatus.Transferred => new RegisterOutflow(Guid.NewGuid(), outflow, Now, id, state.MemberName!, state.IdNumber!,
                state.FormalOrgId!, OutflowReason.Work, "440306", "深圳市宝安区", null, "13800000000", null, at, at),
            _ => throw new InvalidOperationException($"{id} is {state.Status}"),
        };
    }
}
