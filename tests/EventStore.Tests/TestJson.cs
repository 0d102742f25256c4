using System.Text.Json.Serialization;

namespace CoManagement.EventStore.Tests;

public sealed record Counted(int N);

/// <summary>Version 2 of an event whose version 1 stored a single "name".</summary>
public sealed record PersonRegistered(string GivenName, string FamilyName);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Counted))]
[JsonSerializable(typeof(PersonRegistered))]
internal sealed partial class TestJson : JsonSerializerContext;
