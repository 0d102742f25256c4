using System.Collections.Concurrent;
using CoManagement.Contracts;
using CoManagement.Host.Bus;
using MassTransit;

namespace CoManagement.Bus.Tests;

/// <summary>
/// The other side: a separate bus subscribed to every integration event, through its own temporary queue. It hears the
/// events of every test class (they share the exchanges), and message ids are unique only within one store, so tests
/// match on the member as well.
/// </summary>
public sealed class EventSubscriber : IAsyncDisposable
{
    private readonly ConcurrentQueue<Received> _received = new();
    private IBusControl _bus = null!;

    public sealed record Received(Guid? MessageId, Guid? CorrelationId, string? Side, object Message)
    {
        public string MemberId => Message switch
        {
            OutflowRegistered m => m.MemberId,
            MemberReportedAtInflow m => m.MemberId,
            MemberPlacedInBranch m => m.MemberId,
            MemberMovedOn m => m.MemberId,
            MemberTransferred m => m.MemberId,
            _ => "",
        };
    }

    public static async Task<EventSubscriber> StartAsync()
    {
        var subscriber = new EventSubscriber();
        subscriber._bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new Uri(BusHost.RabbitMqUri));
            cfg.ReceiveEndpoint($"bus-tests-events-{Guid.NewGuid():N}", e =>
            {
                e.AutoDelete = true;
                e.Durable = false;
                e.Handler<OutflowRegistered>(subscriber.Record);
                e.Handler<MemberReportedAtInflow>(subscriber.Record);
                e.Handler<MemberPlacedInBranch>(subscriber.Record);
                e.Handler<MemberMovedOn>(subscriber.Record);
                e.Handler<MemberTransferred>(subscriber.Record);
            });
        });
        using var cts = new CancellationTokenSource(BusHost.Timeout);
        await subscriber._bus.StartAsync(cts.Token);
        return subscriber;
    }

    public IReadOnlyList<Received> All => [.. _received];

    /// <summary>Waits until <paramref name="count"/> received messages match.</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(Func<Received, bool> match, int count = 1)
    {
        using var cts = new CancellationTokenSource(BusHost.Timeout);
        while (true)
        {
            var found = _received.Where(match).ToList();
            if (found.Count >= count)
                return found;
            if (cts.IsCancellationRequested)
                throw new ShouldAssertException($"{found.Count} of {count} messages arrived within {BusHost.Timeout}; all: {string.Join("; ", All)}");
            await Task.Delay(20, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync() => await _bus.StopAsync(CancellationToken.None);

    private Task Record<T>(ConsumeContext<T> context) where T : class
    {
        var side = context.Headers.Get<string>(IntegrationEventMapping.SideHeader);
        _received.Enqueue(new Received(context.MessageId, context.CorrelationId, side, context.Message));
        return Task.CompletedTask;
    }
}
