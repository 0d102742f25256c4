using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using CoManagement.EventStore;
using CoManagement.Host;
using CoManagement.Projections;
using Microsoft.Extensions.DependencyInjection;

namespace CoManagement.Bus.Tests;

/// <summary>
/// One command sent over RabbitMQ leaves one trace: the sender's span, MassTransit's consume span, the handler's span
/// and the store's append span, each the child of the one before; the projection batch that applies the event links
/// back to the append. The engine's metrics count the append and the applied events.
/// </summary>
public sealed class Telemetry_across_the_path(BusHost host) : IClassFixture<BusHost>, IDisposable
{
    private readonly ConcurrentBag<Activity> _spans = [];
    private readonly ConcurrentDictionary<string, long> _counters = new();
    private readonly ActivityListener _tracer = new();
    private readonly MeterListener _meters = new();

    private void Listen()
    {
        _tracer.ShouldListenTo = source => Telemetry.Sources.Contains(source.Name);
        _tracer.Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded;
        _tracer.ActivityStopped = _spans.Add;
        ActivitySource.AddActivityListener(_tracer);

        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EventStoreTelemetry.Name)
                listener.EnableMeasurementEvents(instrument);
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, _, _) => _counters.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        _meters.SetMeasurementEventCallback<double>((instrument, _, _, _) => _counters.AddOrUpdate(instrument.Name, 1, (_, n) => n + 1));
        _meters.Start();
    }

    [Fact]
    public async Task a_command_is_one_trace_from_the_sender_through_the_handler_to_the_append_and_the_projection_links_to_it()
    {
        var scenario = new Scenario();
        foreach (var step in scenario.Organizations.Take(2))
            await host.AcceptedAsync(step.Message);
        var catalog = host.Services.GetRequiredService<ProjectionCatalog>();
        await catalog.CatchUpAsync(host.Store, BusHost.Timeout, TestContext.Current.CancellationToken);
        Listen();

        var member = scenario.Member("traced");
        var accepted = await host.AcceptedAsync(scenario.Register(member, Scenario.On(2021, 1, 5)));
        Activity.Current.ShouldBeNull("the projection must not simply inherit the test's trace");
        await catalog.CatchUpAsync(host.Store, BusHost.Timeout, TestContext.Current.CancellationToken);

        var append = _spans.Single(s => s.OperationName == "eventstore.append" && (string?)s.GetTagItem("eventstore.stream") == accepted.StreamId);
        var chain = Ancestors(append).ToList();
        var handler = chain.Where(s => s.Source.Name == "CoManagement.Application").ShouldHaveSingleItem();
        handler.OperationName.ShouldBe("command RegisterOutflow");
        chain.ShouldContain(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer, "the handler runs inside the consume span");
        chain.Last().Source.Name.ShouldBe("MassTransit");
        chain.Last().Kind.ShouldBe(ActivityKind.Producer, "the trace starts at the sender");

        var stored = (await host.Store.ReadStreamAsync(accepted.StreamId, ct: TestContext.Current.CancellationToken)).Single();
        stored.Metadata.TraceParent.ShouldBe(append.Id, "the event carries the trace context of its append");
        var batches = _spans.Where(s => s.OperationName == "eventstore.project" && s.Links.Any(l => l.Context.SpanId == append.SpanId)).ToList();
        batches.ShouldNotBeEmpty("a projection batch links to the append");
        batches.ShouldAllBe(b => b.TraceId != append.TraceId, "a batch is its own trace, linked rather than parented");

        _meters.RecordObservableInstruments();
        _counters.GetValueOrDefault("eventstore.events.appended").ShouldBeGreaterThanOrEqualTo(1);
        _counters.GetValueOrDefault("eventstore.append.duration").ShouldBeGreaterThanOrEqualTo(1);
        _counters.GetValueOrDefault("eventstore.projection.events.applied").ShouldBeGreaterThanOrEqualTo(1, "coverage applied the member's event (bilateral reads no member streams)");
    }

    /// <summary>The span's parent, grandparent, … among the spans recorded, nearest first.</summary>
    private IEnumerable<Activity> Ancestors(Activity span)
    {
        var bySpanId = _spans.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        for (var current = span; bySpanId.TryGetValue(current.ParentSpanId, out var parent) && parent.TraceId == span.TraceId; current = parent)
            yield return parent;
    }

    public void Dispose()
    {
        _tracer.Dispose();
        _meters.Dispose();
    }
}
