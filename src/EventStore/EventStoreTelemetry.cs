using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CoManagement.EventStore;

/// <summary>Spans and metrics of the engine; add <see cref="Name"/> as a source and a meter to OpenTelemetry.</summary>
public static class EventStoreTelemetry
{
    public const string Name = "CoManagement.EventStore";

    internal static readonly ActivitySource Source = new(Name);
    internal static readonly Meter Meter = new(Name);

    internal static readonly Histogram<double> AppendDuration =
        Meter.CreateHistogram<double>("eventstore.append.duration", "ms", "Time to append to one stream, commit included.");
    internal static readonly Counter<long> EventsAppended =
        Meter.CreateCounter<long>("eventstore.events.appended", "{event}", "Events appended.");
    internal static readonly Counter<long> Conflicts =
        Meter.CreateCounter<long>("eventstore.append.conflicts", "{conflict}", "Appends rejected for a wrong expected version.");
    internal static readonly Counter<long> Duplicates =
        Meter.CreateCounter<long>("eventstore.append.duplicates", "{command}", "Appends answered from an earlier command with the same id.");

    private static long _lagPositions;
    private static double _lagSeconds;

    static EventStoreTelemetry()
    {
        Meter.CreateObservableGauge("eventstore.feed.lag.positions", () => Volatile.Read(ref _lagPositions), "{position}",
            "Committed positions not yet below the feed's safe head (last measured).");
        Meter.CreateObservableGauge("eventstore.feed.lag.seconds", () => Volatile.Read(ref _lagSeconds), "s",
            "Age of the oldest committed event above the feed's safe head (last measured).");
    }

    internal static void RecordFeedLag(long positions, double seconds)
    {
        Volatile.Write(ref _lagPositions, positions);
        Volatile.Write(ref _lagSeconds, seconds);
    }
}
