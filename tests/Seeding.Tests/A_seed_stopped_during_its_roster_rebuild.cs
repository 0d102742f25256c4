using CoManagement.EventStore.Projections;
using CoManagement.Projections;
using Microsoft.Extensions.DependencyInjection;

namespace CoManagement.Seeding.Tests;

/// <summary>
/// A bulk seed stopped (SIGTERM) after its import, while it rebuilt the roster: the live roster lacked every imported
/// member, the shadow stood at rebuild position 0, and the next run said "already seeded" and left it so.
/// </summary>
public sealed class A_seed_stopped_during_its_roster_rebuild
{
    [Fact]
    public async Task seeding_again_finishes_the_rebuild_so_the_roster_holds_every_member()
    {
        await using var schema = new SeedSchema();
        await schema.SeedAsync("bulk-tiny");
        var members = await schema.RowsAsync("roster", "roster");
        await LeaveRosterRebuildUnfinishedAsync(schema);
        (await schema.RowsAsync("roster", "roster")).ShouldBe(0);

        var again = await schema.SeedAsync("bulk-tiny");

        again.AlreadySeeded.ShouldBeTrue();
        (await schema.RowsAsync("roster", "roster")).ShouldBe(members);
        var status = await RosterRunner(schema).GetStatusAsync(TestContext.Current.CancellationToken);
        status.RebuildPosition.ShouldBeNull();
    }

    /// <summary>
    /// What the stopped run leaves: the live roster as the import left it (without the members, as a bulk import runs
    /// no append listeners), a rebuild started and never swapped in, and the lease of a process that is gone.
    /// </summary>
    internal static async Task LeaveRosterRebuildUnfinishedAsync(SeedSchema schema)
    {
        var ct = TestContext.Current.CancellationToken;
        var gone = RosterRunner(schema, new ProjectionRunnerOptions { LeaseDuration = TimeSpan.FromSeconds(1) });
        (await gone.TryAcquireLeaseAsync(ct)).ShouldBeTrue();
        await gone.StartRebuildAsync(ct);
        await using var truncate = schema.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand($"TRUNCATE {schema.Schema}_roster.roster");
        await truncate.ExecuteNonQueryAsync(ct);
    }

    private static ProjectionRunner RosterRunner(SeedSchema schema, ProjectionRunnerOptions? options = null) =>
        schema.Services.GetRequiredService<ProjectionCatalog>().RunnerFor(schema.Store, ProjectionNames.Roster, options);
}
