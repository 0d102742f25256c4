using System.Globalization;
using System.Text.Json.Serialization;
using CoManagement.EventStore;

namespace CoManagement.Bench;

/// <summary>The peers' event: type <c>Deposited</c>, 309 bytes of JSON data, ~128 bytes of JSON metadata.</summary>
public static class Payload
{
    public const string Type = "Deposited";
    private const string Pad = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore";
    private static readonly DateTimeOffset BusinessTime = new(2025, 6, 1, 12, 34, 56, 789, TimeSpan.Zero);

    /// <summary>Stream ids as the peers name them: <c>bench-w1s00042</c>.</summary>
    public static string StreamId(string workload, int i) => string.Create(CultureInfo.InvariantCulture, $"bench-{workload}s{i:D5}");

    /// <summary>Same JSON as the peers' <c>eventData(stream, v)</c>, byte for byte.</summary>
    public static string Data(string stream, int v) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"accountId":"{{stream}}","amount":{{1234.56m + v}},"currency":"EUR","balanceAfter":98765.43,"reference":"INV-2025-{{v:D6}}","occurredAt":"2025-06-01T12:34:56.789Z","tags":["bench","deposit"],"seq":{{v}},"description":"{{Pad}}"}""");

    /// <summary>Correlation and causation ids and the user: 128 bytes as JSON, like the peers' metadata.</summary>
    public static EventMetadata Metadata() => new(Guid.NewGuid(), Guid.NewGuid(), Actor: "user-042");

    public static EventData Event(string stream, int v) => new(Type, 1, Data(stream, v), BusinessTime, Metadata());

    public static EventData[] Events(string stream, int count) => [.. Enumerable.Range(0, count).Select(v => Event(stream, v))];

    /// <summary>The metadata as the engine serialises it (camelCase, nulls left out); the plain client pays the same.</summary>
    public static string MetadataJson(EventMetadata m) => System.Text.Json.JsonSerializer.Serialize(m, BenchJson.Default.EventMetadata);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EventMetadata))]
internal sealed partial class BenchJson : JsonSerializerContext;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Row))]
[JsonSerializable(typeof(List<Row>))]
[JsonSerializable(typeof(ReportFile))]
internal sealed partial class ResultJson : JsonSerializerContext
{
    /// <summary>One JSON line per row, '+' and non-ASCII left readable.</summary>
    public static System.Text.Json.JsonSerializerOptions Line { get; } = new()
    {
        TypeInfoResolver = new ResultJson(),
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
