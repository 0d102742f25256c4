using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CoManagement.EventStore.Projections;
using CoManagement.Projections;

namespace CoManagement.Host.Tests;

/// <summary>The Host's projection gauges: lag for the async projections, the progress of any rebuild.</summary>
public sealed class Projection_metrics(EmptyHostFixture host) : IClassFixture<EmptyHostFixture>
{
    [Fact]
    public async Task lag_is_measured_for_each_async_projection_and_rebuild_progress_is_published()
    {
        var seen = new ConcurrentDictionary<(string Instrument, string Projection), double>();
        var published = new ConcurrentBag<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name != "CoManagement.Host")
                return;
            published.Add(instrument.Name);
            l.EnableMeasurementEvents(instrument);
        };
        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? _) where T : struct =>
            seen[(instrument.Name, tags.Length > 0 ? tags[0].Value as string ?? "" : "")] = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
        listener.SetMeasurementEventCallback<long>(Record);
        listener.SetMeasurementEventCallback<double>(Record);
        listener.Start();

        var catalog = host.Services.GetRequiredService<ProjectionCatalog>();
        var asyncNames = catalog.Async.Select(p => p.Name).ToHashSet();
        for (var tries = 0; tries < 100 && seen.Keys.Count(k => k.Instrument == "projection.lag.positions") < asyncNames.Count; tries++)
        {
            listener.RecordObservableInstruments();
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        published.ShouldContain("projection.rebuild.progress");
        seen.Keys.Where(k => k.Instrument == "projection.lag.positions").Select(k => k.Projection).ToHashSet().ShouldBe(asyncNames, ignoreOrder: true);
        seen.Keys.Where(k => k.Instrument == "projection.lag.seconds").Select(k => k.Projection).ToHashSet().ShouldBe(asyncNames, ignoreOrder: true);
        seen.Keys.ShouldNotContain(k => k.Instrument == "projection.rebuild.progress", "no rebuild runs");
    }

    [Fact]
    public void rebuild_progress_is_the_rebuild_position_over_the_head_for_each_projection_being_rebuilt()
    {
        ProjectionStatus[] statuses =
        [
            new("roster", 0, 1_000, 0, null, 1, null, RebuildPosition: 250),
            new("coverage", 990, 1_000, 0.1, "host-a", 2, null, RebuildPosition: null),
            new("orgs", 0, 0, 0, null, 0, null, RebuildPosition: 0),
            new("bilateral", 0, 100, 0, null, 0, null, RebuildPosition: 150),
        ];

        ProjectionDaemon.RebuildProgress(statuses).Select(m => ((string)m.Tags[0].Value!, m.Value))
            .ShouldBe([("roster", 0.25), ("orgs", 1.0), ("bilateral", 1.0)]);
    }
}
