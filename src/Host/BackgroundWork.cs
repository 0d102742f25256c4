using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CoManagement.EventStore;
using CoManagement.EventStore.Projections;
using CoManagement.Projections;

namespace CoManagement.Host;

/// <summary>
/// Migrates the store and creates the projections' schemas before the Host serves anything. Safe when several Host
/// processes start at once (the migrator and the projection registration each take an advisory lock).
/// </summary>
internal sealed class StoreInitializer(PostgresEventStore store, ProjectionCatalog catalog, HostSettings settings, ILogger<StoreInitializer> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!settings.MigrateOnStart)
            return;
        var applied = await WhenReachableAsync(() => store.MigrateAsync(cancellationToken), cancellationToken);
        await catalog.EnsureCreatedAsync(store, cancellationToken, message => log.LogWarning("{Message}", message));
        log.LogInformation("Store schema {Schema} ready ({Applied} migrations applied now)", store.Schema, applied.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A Host started alongside its database (compose, a reboot) finds it not yet accepting connections: it retries,
    /// 1 s, 2 s, 4 s … apart (at most 10 s), for <see cref="HostSettings.DatabaseWaitOnStart"/>, then fails the start
    /// with the last error. Errors no wait can mend (a wrong password, a missing database) fail at once.
    /// </summary>
    private async Task<T> WhenReachableAsync<T>(Func<Task<T>> work, CancellationToken ct)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var pause = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                return await work();
            }
            catch (Npgsql.NpgsqlException e) when (e.IsTransient && waited.Elapsed + pause <= settings.DatabaseWaitOnStart)
            {
                log.LogWarning("Database not reachable ({Message}); retrying in {Pause} s (EventStore:DatabaseWaitOnStart {Wait})",
                    e.Message, pause.TotalSeconds, settings.DatabaseWaitOnStart);
                await Task.Delay(pause, ct);
                pause = TimeSpan.FromSeconds(Math.Min(10, pause.TotalSeconds * 2));
            }
            catch (Npgsql.NpgsqlException e) when (e.IsTransient)
            {
                throw new Npgsql.NpgsqlException(
                    $"Database not reachable after {waited.Elapsed.TotalSeconds:F0} s (EventStore:DatabaseWaitOnStart {settings.DatabaseWaitOnStart}): {e.Message}", e);
            }
        }
    }
}

/// <summary>
/// Runs every async projection (each under its own lease, so with several Hosts each projection runs in exactly one),
/// writes a seal over the newly final part of the feed now and then, and publishes projection lag and the progress of
/// rebuilds as metrics. Both are read from the projections table every 5 s, so a rebuild run elsewhere (the
/// <c>rebuild</c> verb, another Host) shows too.
/// </summary>
internal sealed class ProjectionDaemon(PostgresEventStore store, ProjectionCatalog catalog, HostSettings settings, ILogger<ProjectionDaemon> log) : BackgroundService
{
    private static readonly Meter Meter = new("CoManagement.Host");
    private readonly ConcurrentDictionary<string, ProjectionStatus> _status = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // ConcurrentDictionary.Values is a copy: taken at each measurement.
        IEnumerable<ProjectionStatus> Live() => _status.Values.Where(s => !catalog.IsInline(s.Name));
        Meter.CreateObservableGauge("projection.lag.positions",
            () => Live().Select(s => new Measurement<long>(s.LagPositions, Tag(s))),
            "{position}", "Feed positions an async projection is behind.");
        Meter.CreateObservableGauge("projection.lag.seconds",
            () => Live().Select(s => new Measurement<double>(s.LagSeconds, Tag(s))),
            "s", "Age of the oldest event an async projection has not applied.");
        Meter.CreateObservableGauge("projection.rebuild.progress", () => RebuildProgress(_status.Values),
            "1", "How far a running rebuild of a projection has read the feed (0 to 1); no measurement when none runs.");

        var runners = catalog.Async.Select(p => new ProjectionRunner(store, p)).ToList();
        var work = runners.Select(r => RunGuardedAsync(r.Name, r.RunAsync, stoppingToken)).ToList();
        // Every projection's row is watched: an inline one has no lag, but it can be rebuilt.
        var watched = catalog.All.Select(p => runners.FirstOrDefault(r => r.Name == p.Name) ?? new ProjectionRunner(store, p)).ToList();
        work.Add(RunGuardedAsync("status", ct => WatchAsync(watched, ct), stoppingToken));
        await Task.WhenAll(work);
    }

    /// <summary>The rebuild position of each projection being rebuilt, as a fraction of the feed's head.</summary>
    internal static IEnumerable<Measurement<double>> RebuildProgress(IEnumerable<ProjectionStatus> statuses) =>
        statuses.Where(s => s.RebuildPosition is not null)
            .Select(s => new Measurement<double>(s.Head == 0 ? 1 : Math.Min(1, (double)s.RebuildPosition!.Value / s.Head), Tag(s)));

    private static KeyValuePair<string, object?> Tag(ProjectionStatus s) => new("projection", s.Name);

    private async Task WatchAsync(IReadOnlyList<ProjectionRunner> runners, CancellationToken ct)
    {
        var lastSeal = DateTimeOffset.MinValue;
        while (!ct.IsCancellationRequested)
        {
            foreach (var runner in runners)
                _status[runner.Name] = await runner.GetStatusAsync(ct);
            await store.GetFeedStatusAsync(ct); // refreshes the engine's feed-lag gauges
            if (DateTimeOffset.UtcNow - lastSeal >= settings.SealInterval)
            {
                if (await store.WriteSealAsync(ct) is { } seal)
                    log.LogInformation("Sealed positions {From}..{To} ({Count} events)", seal.FromPosition + 1, seal.ToPosition, seal.EventCount);
                lastSeal = DateTimeOffset.UtcNow;
            }
            await Task.Delay(TimeSpan.FromSeconds(5), ct);
        }
    }

    /// <summary>A failing loop is logged and restarted after a pause; it never takes the Host down.</summary>
    private async Task RunGuardedAsync(string name, Func<CancellationToken, Task> loop, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await loop(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "Background loop {Name} failed; restarting in 5 s", name);
                try { await Task.Delay(TimeSpan.FromSeconds(5), ct); } catch (OperationCanceledException) { return; }
            }
        }
    }
}

public static class BackgroundWork
{
    public static IServiceCollection AddBackgroundWork(this IServiceCollection services, HostSettings settings)
    {
        services.AddHostedService<StoreInitializer>();
        if (settings.RunProjections)
            services.AddHostedService<ProjectionDaemon>();
        return services;
    }
}
