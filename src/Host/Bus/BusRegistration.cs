using CoManagement.EventStore;
using MassTransit;

namespace CoManagement.Host.Bus;

/// <summary>
/// MassTransit with one consumer per command contract on one queue, the outbox writer (in the append transaction),
/// the relay that publishes its rows, and the outbox monitor. In-memory transport unless a RabbitMQ URI is set.
/// Telemetry: MassTransit's activity source and meter are both named "MassTransit"; the outbox gauges are on
/// <see cref="OutboxMonitor.MeterName"/>.
/// </summary>
public static class BusRegistration
{
    /// <summary>The pauses (ms) between the in-place retries of a failed command; after the last one a transient failure is answered.</summary>
    internal static readonly int[] RetryIntervals = [100, 500, 2000];

    private static readonly Type[] Consumers = [.. CommandMapping.MessageTypes.Select(t => typeof(CommandConsumer<>).MakeGenericType(t))];

    public static WebApplicationBuilder AddBus(this WebApplicationBuilder builder, HostSettings settings)
    {
        var bus = BusSettings.From(builder.Configuration);
        var services = builder.Services;
        services.AddSingleton(bus);
        services.AddSingleton<IAppendListener>(sp => IntegrationEventMapping.Writer(settings.Schema, sp.GetRequiredService<EventTypeRegistry>()));

        services.AddMassTransit(x =>
        {
            // No anonymous usage reports leave this service (MassTransit 8.4 sends them by default).
            x.ConfigureUsageTelemetryOptions(o => o.Enabled = false);
            foreach (var consumer in Consumers)
                x.AddConsumer(consumer);

            if (string.IsNullOrWhiteSpace(settings.RabbitMqUri))
            {
                x.UsingInMemory((context, cfg) => ConfigureEndpoints(context, cfg, bus));
            }
            else
            {
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(new Uri(settings.RabbitMqUri)); // amqp://user:password@host:port/vhost
                    ConfigureEndpoints(context, cfg, bus);
                });
            }
        });

        // The Host reports started (and ready) only once the bus is: no request meets a bus still connecting.
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });

        services.AddSingleton<OutboxMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxMonitor>());
        services.AddHealthChecks().AddCheck<OutboxMonitor>("outbox", tags: ["ready"]);
        if (settings.RunOutboxRelay)
            services.AddHostedService<OutboxRelayService>();
        return builder;
    }

    private static void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator cfg, BusSettings bus) =>
        cfg.ReceiveEndpoint(bus.CommandQueue, e =>
        {
            // Failures (a database restart) are retried in place; an unreadable message never is. When the last retry
            // fails too, the consumer answers a transient failure with service.unavailable (CommandConsumer).
            e.UseMessageRetry(r =>
            {
                r.Ignore<InvalidCommandMessageException>();
                r.Intervals(RetryIntervals);
            });
            foreach (var consumer in Consumers)
                context.ConfigureConsumer(consumer, e);
        });
}
