using CoManagement.EventStore.Outbox;
using MassTransit;
using Npgsql;

namespace CoManagement.Host.Bus;

/// <summary>
/// Publishes committed outbox rows through the bus. The rows are durable and marked only after the broker confirmed
/// the publish, so a stop or crash anywhere in between leads to a re-publish after the restart, under the same message
/// id (derived from the event's position). Several Hosts may run it: one publishes at a time (see <see cref="OutboxRelay"/>), so rows go out in commit order.
/// </summary>
internal sealed class OutboxRelayService(
    NpgsqlDataSource dataSource, HostSettings host, BusSettings settings, IBus bus, TimeProvider clock, ILogger<OutboxRelayService> log)
    : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var relay = new OutboxRelay(dataSource, host.Schema, settings.OutboxMaxAttempts, (row, e) => log.LogError(e,
            "Outbox row {Seq} ({MessageType}, event position {Position}) parked after {Attempts} attempts: it cannot be published; later rows go on",
            row.Seq, row.MessageType, row.EventPosition, row.Attempts + 1));
        var failures = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                TimeSpan wait;
                try
                {
                    var published = await relay.PublishBatchAsync(PublishAsync, settings.OutboxBatchSize, stoppingToken).ConfigureAwait(false);
                    failures = 0;
                    wait = published == settings.OutboxBatchSize ? TimeSpan.Zero : settings.OutboxPollInterval;
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Broker or database away: keep the rows, back off, try again; the health check reports the backlog.
                    failures++;
                    wait = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, settings.OutboxPollInterval.Ticks << Math.Min(failures, 6)));
                    log.LogWarning(e, "Outbox relay failed ({Failures} in a row); retrying in {Wait}", failures, wait);
                }
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, clock, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private Task PublishAsync(PendingMessage row, CancellationToken ct)
    {
        object message;
        Type type;
        IntegrationEventMapping.Envelope envelope;
        try
        {
            (message, type, envelope) = IntegrationEventMapping.Read(row);
        }
        catch (Exception e) when (e is InvalidOperationException or System.Text.Json.JsonException or NotSupportedException)
        {
            throw new UnpublishableMessageException(e.Message, e);
        }
        return bus.Publish(message, type, context =>
        {
            context.MessageId = row.MessageId;
            context.CorrelationId = envelope.CorrelationId;
            context.InitiatorId = envelope.CommandId;
            context.Headers.Set(IntegrationEventMapping.SideHeader, row.Destination);
        }, ct);
    }
}
