using CoManagement.Domain.Agreements;
using CoManagement.Domain.Organizations;
using CoManagement.Host.Seeding;

namespace CoManagement.Seeding.Tests;

/// <summary>The tiny data set, seeded once through the command handler, shared by the tests of this class.</summary>
public sealed class TinySeed : IAsyncLifetime
{
    public SeedSchema Schema { get; } = new();

    public SeedSummary Summary { get; private set; } = null!;

    public Contents Contents { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Summary = await Schema.SeedAsync("tiny");
        Contents = await Schema.ContentsAsync();
    }

    public ValueTask DisposeAsync() => Schema.DisposeAsync();
}

public sealed class Seeding_through_the_command_handler(TinySeed seed) : IClassFixture<TinySeed>
{
    [Fact]
    public void tiny_goes_through_the_handler_without_a_single_rejected_command()
    {
        seed.Summary.Path.ShouldBe(SeedPath.Commands);
        seed.Summary.Rejections.ShouldBeEmpty();
        seed.Summary.Rejected.ShouldBe(0);
        seed.Summary.Members.ShouldBe((int)DemoSeeder.CountMembers("tiny"));
        seed.Contents.Members.Count.ShouldBe(seed.Summary.Members);
        seed.Summary.Events.ShouldBe(seed.Contents.Events.Count);
    }

    [Fact]
    public async Task the_inline_roster_holds_every_member_written_through_the_handler() =>
        (await seed.Schema.RowsAsync("roster", "roster")).ShouldBe(seed.Summary.Members);

    [Fact]
    public void the_organisation_tree_holds_every_row_of_the_seed_files_under_department_roots()
    {
        var orgs = seed.Contents.Organisations;
        orgs.Count.ShouldBe(SeedFiles.OrganisationCount());
        orgs.Values.Where(o => o.ParentId is null).ShouldAllBe(o => o.Kind == OrganizationKind.Department || o.Kind == OrganizationKind.Committee);
        orgs.Values.Where(o => o.ParentId is not null).ShouldAllBe(o => orgs.ContainsKey(o.ParentId!));
    }

    [Fact]
    public void the_tree_has_the_stations_points_and_branches_the_articles_name()
    {
        var c = seed.Contents;
        int Count(string under, OrganizationKind kind) => c.Organisations.Values.Count(o => o.Kind == kind && c.IsUnder(o.OrganizationId, under));

        Count("pl", OrganizationKind.LiaisonStation).ShouldBe(8);
        Count("pl", OrganizationKind.ServiceStation).ShouldBe(4);
        Count("jq", OrganizationKind.LiaisonStation).ShouldBe(5);
        Count("sz-ba", OrganizationKind.RegistrationPoint).ShouldBe(209);

        var meixianBranch = c.Organisations["mz-mx-mb-gz"];
        meixianBranch.Kind.ShouldBe(OrganizationKind.MobileBranch);
        meixianBranch.ParentId.ShouldBe("mz-mx");
        meixianBranch.Region.Value.ShouldBe("440103");
        c.Organisations["ly-mb-sg"].Region.Value.ShouldBe("440306");
        c.Organisations["pl-ls-xa-lh"].Region.Value.ShouldBe("610104");
    }

    [Fact]
    public void the_agreements_carry_the_articles_parties_commitments_and_consultations()
    {
        var meixian = seed.Contents.Agreements["meixian-liwan"];
        (meixian.OutflowDepartmentId, meixian.InflowDepartmentId).ShouldBe(("mz-mx", "gz-lw"));
        meixian.Commitments.ShouldBe([Commitment.MemberCoManagement, Commitment.ResourceSharing, Commitment.JointOrganisationBuilding,
            Commitment.JointActivities, Commitment.JointRoleEffect]);
        meixian.SignedAt!.Value.ToOffset(TimeSpan.FromHours(8)).Date.ShouldBe(new DateTime(2024, 1, 17));
        meixian.Consultations.Count.ShouldBeGreaterThan(8);
        meixian.ActionItems.Values.ShouldContain(i => i.CompletedAt != null);

        var yichun = seed.Contents.Agreements["yichun-baoan"];
        (yichun.OutflowDepartmentId, yichun.InflowDepartmentId).ShouldBe(("yc", "sz-ba"));
        yichun.ExtraPartyIds.ShouldBe(["yc-office-sz", "yc-gba"]);
    }

    [Fact]
    public void pingliang_has_its_year_end_coverage_targets()
    {
        var targets = seed.Contents.Organisations["pl"].Targets;
        targets[(TargetMetric.InProvinceCoverage, SeedSchema.Anchor.Year)].ShouldBe(1.00m);
        targets[(TargetMetric.OutOfProvinceCoverage, SeedSchema.Anchor.Year)].ShouldBe(0.30m);
    }

    [Fact]
    public void business_times_lie_in_the_past_of_the_anchor()
    {
        seed.Contents.Events.ShouldAllBe(e => e.BusinessTime < SeedSchema.Anchor);
        seed.Contents.Events.Where(e => e.StreamId.StartsWith("member-", StringComparison.Ordinal))
            .Max(e => e.BusinessTime).ShouldBeGreaterThan(SeedSchema.Anchor.AddDays(-60));
    }

    [Fact]
    public async Task member_events_reach_the_feed_month_by_month_so_each_closed_month_holds_what_happened_by_its_end()
    {
        SeedSchema.MemberEventMonths(seed.Contents).ShouldBeInOrder();
        var months = await seed.Schema.ClosedMonthsAgainstTheEventsAsync(seed.Contents);
        months.Count.ShouldBeGreaterThan(12);
        months.ShouldAllBe(m => m.Frozen == m.Folded && m.Frozen > 0);
    }

    [Fact]
    public async Task seeding_again_writes_nothing_and_rejects_nothing()
    {
        var before = seed.Contents.Events.Count;

        var again = await seed.Schema.SeedAsync("tiny");

        again.AlreadySeeded.ShouldBeTrue();
        again.Rejections.ShouldBeEmpty();
        again.Events.ShouldBe(0);
        (await seed.Schema.AllEventsAsync()).Count.ShouldBe(before);
    }

    [Fact]
    public async Task another_database_seeded_with_the_same_size_and_anchor_holds_the_same_events()
    {
        await using var other = new SeedSchema();

        var summary = await other.SeedAsync("tiny");

        summary.Rejections.ShouldBeEmpty();
        SeedSchema.Digest(await other.AllEventsAsync()).ShouldBe(SeedSchema.Digest(seed.Contents.Events));
    }

    [Fact]
    public async Task the_bulk_path_writes_exactly_what_the_command_path_writes()
    {
        await using var bulk = new SeedSchema();

        var summary = await bulk.SeedAsync("tiny", SeedPath.Bulk);

        summary.Path.ShouldBe(SeedPath.Bulk);
        summary.Rejections.ShouldBeEmpty();
        var members = (await bulk.AllEventsAsync()).Where(e => e.StreamId.StartsWith("member-", StringComparison.Ordinal)).ToList();
        members.Count.ShouldBeGreaterThan(0);
        SeedSchema.Digest(members).ShouldBe(SeedSchema.Digest(seed.Contents.Events.Where(e => e.StreamId.StartsWith("member-", StringComparison.Ordinal))));
    }
}
