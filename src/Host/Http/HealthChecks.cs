using CoManagement.EventStore;
using CoManagement.EventStore.Projections;
using CoManagement.Projections;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace CoManagement.Host.Http;

/// <summary>
/// Lag (seconds) beyond which readiness reports Degraded (still serving, but reads are stale), and how long one check
/// may take before it counts as failed, so readiness answers even when the database does not. Section "Health".
/// </summary>
public sealed record HealthThresholds
{
    public double FeedLagSeconds { get; init; } = 30;
    public double ProjectionLagSeconds { get; init; } = 60;
    public double CheckTimeoutSeconds { get; init; } = 5;

    public HealthThresholds Validated()
    {
        SettingCheck.Positive(FeedLagSeconds, "Health:FeedLagSeconds");
        SettingCheck.Positive(ProjectionLagSeconds, "Health:ProjectionLagSeconds");
        SettingCheck.Positive(CheckTimeoutSeconds, "Health:CheckTimeoutSeconds");
        return this;
    }
}

/// <summary>The database answers and holds a migrated store.</summary>
public sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource, PostgresEventStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand($"SELECT to_regclass('{store.Schema}.events') IS NOT NULL");
            return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!
                ? HealthCheckResult.Healthy($"schema '{store.Schema}' reachable")
                : HealthCheckResult.Unhealthy($"schema '{store.Schema}' is not migrated: run the migrate verb");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("database unreachable", e);
        }
    }
}

/// <summary>How far the global feed's safe head trails the newest commit, naming the transaction that holds it back.</summary>
public sealed class FeedHealthCheck(PostgresEventStore store, HealthThresholds thresholds) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var feed = await store.GetFeedStatusAsync(cancellationToken);
        var data = new Dictionary<string, object>
        {
            ["head"] = feed.Head, ["newestCommitted"] = feed.NewestCommitted,
            ["lagPositions"] = feed.LagPositions, ["lagSeconds"] = Math.Round(feed.LagSeconds, 3),
        };
        // Readiness answers anyone: the blocker's backend and since when, never its SQL text (pg_stat_activity has it).
        if (feed.Blocker is { } b)
            data["blocker"] = new { b.Pid, b.TransactionStart };
        return feed.LagSeconds > thresholds.FeedLagSeconds
            ? HealthCheckResult.Degraded(feed.Blocker is { } blocker
                ? $"feed held back {feed.LagSeconds:F0}s by backend pid {blocker.Pid} since {blocker.TransactionStart:O}"
                : $"feed {feed.LagSeconds:F0}s behind", data: data)
            : HealthCheckResult.Healthy("feed moving", data);
    }
}

/// <summary>
/// Each async projection: checkpoint lag, whether a runner holds its lease, rebuild in progress; and each inline
/// projection whose rebuild is unfinished (Degraded: after a bulk import its live tables lack the imported members
/// until the rebuild swaps in). Read from the projections table, so it reports the runner wherever it runs (this
/// process or another Host); the catalog names them, else DI's runners. Readiness answers anyone, so who holds a lease
/// (host name and pid) is not said.
/// </summary>
public sealed class ProjectionsHealthCheck(IServiceProvider services, PostgresEventStore store, HealthThresholds thresholds) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var catalog = services.GetService<ProjectionCatalog>();
        var runners = catalog is not null
            ? catalog.Async.Select(p => catalog.RunnerFor(store, p.Name)).ToList()
            : services.GetServices<ProjectionRunner>().ToList();
        var data = new Dictionary<string, object>();
        var behind = new List<string>();
        foreach (var inline in catalog?.Inline ?? [])
        {
            var s = await catalog!.RunnerFor(store, inline.Name).GetStatusAsync(cancellationToken);
            if (s.RebuildPosition is not { } at)
                continue;
            data[s.Name] = new { s.Position, s.Head, s.RebuildPosition };
            behind.Add($"{s.Name} (inline) rebuild unfinished at position {at} of {s.Head}: its live tables may lack events until it swaps in");
        }
        if (runners.Count == 0 && behind.Count == 0)
            return HealthCheckResult.Healthy("no async projections registered");
        foreach (var runner in runners)
        {
            try
            {
                var s = await runner.GetStatusAsync(cancellationToken);
                data[s.Name] = new { s.Position, s.Head, s.LagPositions, LagSeconds = Math.Round(s.LagSeconds, 3), LeaseHeld = s.Owner is not null && s.LeaseExpiresAt > DateTimeOffset.UtcNow, s.RebuildPosition };
                if (s.LagSeconds > thresholds.ProjectionLagSeconds)
                    behind.Add($"{s.Name} {s.LagSeconds:F0}s behind" + (s.Owner is null ? " (no runner holds its lease)" : ""));
            }
            catch (InvalidOperationException e)
            {
                data[runner.Name] = e.Message;
                behind.Add($"{runner.Name} not registered yet");
            }
        }
        return behind.Count > 0 ? HealthCheckResult.Degraded(string.Join("; ", behind), data: data) : HealthCheckResult.Healthy("projections caught up", data);
    }
}

/// <summary>Without a signing key the Host answers every API call 401: it is up, but serves no one.</summary>
public sealed class SigningKeyHealthCheck(IServiceProvider services) : IHealthCheck
{
    public const string Missing = "no signing key: Auth:SigningKey is not set, so every API call is answered 401";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(services.GetService<CoManagement.Host.Auth.TokenIssuer>() is null
            ? HealthCheckResult.Unhealthy(Missing)
            : HealthCheckResult.Healthy("signing key set"));
}

public static class HealthResponse
{
    public static object Body(HealthReport report) => new
    {
        status = report.Status.ToString(),
        durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
        checks = report.Entries.Select(e => new
        {
            name = e.Key,
            status = e.Value.Status.ToString(),
            description = e.Value.Description,
            error = e.Value.Exception?.Message,
            data = e.Value.Data.Count == 0 ? null : e.Value.Data,
        }),
    };
}
