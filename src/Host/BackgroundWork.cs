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
        var applied = await store.MigrateAsync(cancellationToken);
        await catalog.EnsureCreatedAsync(store, cancellationToken, message => log.LogWarning("{Message}", message));
        log.LogInformation("Store schema {Schema} ready ({Applied} migrations applied now)", store.Schema, applied.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Runs every async projection (each under its own lease, so with several Hosts each projection runs in exactly one),
/// writes a seal over the newly final part of the feed now and then, and publishes projection lag as metrics.
/// </summary>
internal sealed class ProjectionDaemon(PostgresEventStore store, ProjectionCatalog catalog, HostSettings settings, ILogger<ProjectionDaemon> log) : BackgroundService
{
    private static readonly Meter Meter = new("CoManagement.Host");
    private readonly ConcurrentDictionary<string, ProjectionStatus> _status = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Meter.CreateObservableGauge("projection.lag.positions",
            () => _status.Values.Select(s => new Measurement<long>(s.LagPositions, new KeyValuePair<string, object?>("projection", s.Name))),
            "{position}", "Feed positions an async projection is behind.");
        Meter.CreateObservableGauge("projection.lag.seconds",
            () => _status.Values.Select(s => new Measurement<double>(s.LagSeconds, new KeyValuePair<string, object?>("projection", s.Name))),
            "s", "Age of the oldest event an async projection has not applied.");

        var runners = catalog.Async.Select(p => new ProjectionRunner(store, p)).ToList();
        var work = runners.Select(r => RunGuardedAsync(r.Name, r.RunAsync, stoppingToken)).ToList();
        work.Add(RunGuardedAsync("status", ct => WatchAsync(runners, ct), stoppingToken));
        await Task.WhenAll(work);
    }

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
