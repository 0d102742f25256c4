using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace CoManagement.Host.Bus;

/// <summary>
/// Counts the pending outbox rows and the age of the oldest one, for the meter <c>CoManagement.Host</c> and the
/// <c>outbox</c> health check: a growing backlog means the broker is unreachable or the relay is not running; a parked
/// row (one that could not be published, see <see cref="CoManagement.EventStore.Outbox.OutboxRelay"/>) degrades it until an operator deals with it.
/// Runs whether or not this Host runs the relay, since another replica may.
/// </summary>
internal sealed class OutboxMonitor : BackgroundService, IHealthCheck
{
    public const string MeterName = "CoManagement.Host";

    private readonly NpgsqlDataSource _dataSource;
    private readonly BusSettings _settings;
    private readonly TimeProvider _clock;
    private readonly ILogger<OutboxMonitor> _log;
    private readonly string _sql;
    private volatile Snapshot? _last;

    private sealed record Snapshot(long Pending, TimeSpan OldestAge, long Parked = 0, Exception? Error = null);

    public OutboxMonitor(
        NpgsqlDataSource dataSource, HostSettings host, BusSettings settings, TimeProvider clock, IMeterFactory meters, ILogger<OutboxMonitor> log)
    {
        (_dataSource, _settings, _clock, _log) = (dataSource, settings, clock, log);
        _sql = $"""
            SELECT count(*) FILTER (WHERE parked_at IS NULL),
                   coalesce(extract(epoch FROM clock_timestamp() - min(created_at) FILTER (WHERE parked_at IS NULL)), 0)::float8,
                   count(*) FILTER (WHERE parked_at IS NOT NULL)
              FROM {host.Schema}.outbox WHERE published_at IS NULL
            """;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("comanagement.outbox.pending", () => _last?.Pending ?? 0,
            "{message}", "Outbox messages not yet published");
        meter.CreateObservableGauge("comanagement.outbox.oldest_pending_age", () => _last?.OldestAge.TotalSeconds ?? 0,
            "s", "Age of the oldest unpublished outbox message");
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_last switch
        {
            null => HealthCheckResult.Healthy("not measured yet"),
            { Error: { } e } => HealthCheckResult.Degraded("the outbox could not be read", e),
            var s when s.Parked > 0 => HealthCheckResult.Degraded(
                $"{s.Pending} pending, {s.Parked} parked (cannot be published: see the outbox's last_error)",
                data: new Dictionary<string, object> { ["pending"] = s.Pending, ["parked"] = s.Parked }),
            var s when s.OldestAge > _settings.OutboxStaleAfter =>
                HealthCheckResult.Degraded($"{s.Pending} pending, the oldest for {s.OldestAge.TotalSeconds:F0} s"),
            var s => HealthCheckResult.Healthy($"{s.Pending} pending"),
        });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_settings.OutboxMonitorInterval, _clock);
        try
        {
            do
                await MeasureAsync(stoppingToken).ConfigureAwait(false);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task MeasureAsync(CancellationToken ct)
    {
        try
        {
            await using var cmd = _dataSource.CreateCommand(_sql);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            _last = new Snapshot(reader.GetInt64(0), TimeSpan.FromSeconds(reader.GetDouble(1)), reader.GetInt64(2));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.LogDebug(e, "Could not count the pending outbox");
            _last = new Snapshot(_last?.Pending ?? 0, _last?.OldestAge ?? TimeSpan.Zero, _last?.Parked ?? 0, e);
        }
    }
}
