using System.Text.Json;
using CoManagement.Application;
using CoManagement.EventStore;
using CoManagement.EventStore.Projections;
using CoManagement.Projections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CoManagement.Host.Tests;

/// <summary>
/// An inline projection's rebuild left unfinished (a seed stopped after its bulk import): the Host started Healthy and
/// served an empty roster, since start-up rebuilt only projections whose definition changed.
/// </summary>
public sealed class An_unfinished_inline_rebuild
{
    [Fact]
    public async Task readiness_is_degraded_while_it_lasts_and_the_hosts_start_up_finishes_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var schema = HostFixture.NewSchema();
        try
        {
            (await HostFixture.RunVerbAsync(["migrate", .. HostFixture.ConfigFor(schema)])).Code.ShouldBe(0);
            await using (var core = new ServiceCollection()
                .AddCoManagementCore(new HostSettings { ConnectionString = HostFixture.ConnectionString, Schema = schema }).BuildServiceProvider())
            {
                await Scenario.WriteAsync(core.GetRequiredService<CommandHandler>());
                var gone = core.GetRequiredService<ProjectionCatalog>().RunnerFor(core.GetRequiredService<PostgresEventStore>(), ProjectionNames.Roster,
                    new ProjectionRunnerOptions { LeaseDuration = TimeSpan.FromSeconds(1) });
                (await gone.TryAcquireLeaseAsync(ct)).ShouldBeTrue();
                await gone.StartRebuildAsync(ct);
                await using var truncate = core.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand($"TRUNCATE {schema}_roster.roster");
                await truncate.ExecuteNonQueryAsync(ct);
            }

            await using (var unmigrated = Host(schema, migrateOnStart: false))
            {
                var projections = await ProjectionsCheckAsync(unmigrated);
                projections.GetProperty("status").GetString().ShouldBe("Degraded");
                projections.GetProperty("description").GetString()!.ShouldContain("roster (inline) rebuild unfinished");
            }

            await using var started = Host(schema, migrateOnStart: true);
            var catalog = started.Services.GetRequiredService<ProjectionCatalog>();
            var status = await catalog.RunnerFor(started.Services.GetRequiredService<PostgresEventStore>(), ProjectionNames.Roster).GetStatusAsync(ct);
            status.RebuildPosition.ShouldBeNull();
            await using var count = started.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand($"SELECT count(*) FROM {schema}_roster.roster");
            ((long)(await count.ExecuteScalarAsync(ct))!).ShouldBeGreaterThan(0);
            (await ProjectionsCheckAsync(started)).GetProperty("description").GetString()!.ShouldNotContain("unfinished");
        }
        finally
        {
            await HostFixture.DropSchemasAsync(schema);
        }
    }

    private static WebApplicationFactory<Program> Host(string schema, bool migrateOnStart) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("ConnectionStrings:EventStore", HostFixture.ConnectionString)
            .UseSetting("EventStore:Schema", schema)
            .UseSetting("EventStore:MigrateOnStart", migrateOnStart ? "true" : "false")
            // The rebuild-progress gauge is process-wide: Projection_metrics, running beside, must see no rebuild.
            .UseSetting("EventStore:RunProjections", "false")
            .UseSetting("Auth:SigningKey", HostFixture.SigningKey));

    private static async Task<JsonElement> ProjectionsCheckAsync(WebApplicationFactory<Program> host)
    {
        using var client = host.CreateClient();
        var text = await client.GetStringAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);
        return JsonDocument.Parse(text).RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "projections").Clone();
    }
}
