namespace CoManagement.EventStore;

/// <summary>A point in a stream's history to read or fold up to (inclusive).</summary>
public abstract record AsOf
{
    private AsOf() { }

    /// <summary>The stream as it was after event number <paramref name="Version"/>.</summary>
    public sealed record Version(long Value) : AsOf;

    /// <summary>What the store held at that instant: events recorded (stored) at or before it.</summary>
    public sealed record RecordedTime(DateTimeOffset Value) : AsOf;

    /// <summary>What had happened by then, as told by the business times, including events recorded later.</summary>
    public sealed record BusinessTime(DateTimeOffset Value) : AsOf;

    /// <summary>The stream as a reader of the global feed saw it at that position.</summary>
    public sealed record Position(long Value) : AsOf;
}
