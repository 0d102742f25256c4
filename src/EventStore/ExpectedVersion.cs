namespace CoManagement.EventStore;

/// <summary>
/// What the writer believes about a stream before appending. Every mode is enforced by the append function
/// (a version is the number of events in the stream; an empty stream has version 0).
/// </summary>
public readonly record struct ExpectedVersion
{
    private ExpectedVersion(long value) => Value = value;

    /// <summary>The encoding the append function takes: -1 any, -2 no stream, -3 stream exists, n &gt;= 0 exactly n.</summary>
    internal long Value { get; }

    public static ExpectedVersion Any { get; } = new(-1);
    public static ExpectedVersion NoStream { get; } = new(-2);
    public static ExpectedVersion StreamExists { get; } = new(-3);

    public static ExpectedVersion Exactly(long version) =>
        version >= 0 ? new(version) : throw new ArgumentOutOfRangeException(nameof(version), version, "A stream version is 0 or more.");

    public override string ToString() => Value switch
    {
        -1 => "any",
        -2 => "no stream",
        -3 => "stream exists",
        _ => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
