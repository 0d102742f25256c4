using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace CoManagement.EventStore;

/// <summary>
/// Maps CLR event types to stable names and a current schema version, serialises them with source-generated
/// metadata, and upcasts stored older versions step by step on read. Renaming a class never breaks stored data;
/// an unregistered name is an error, never a silent drop.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly Dictionary<string, Registration> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, Registration> _byType = [];
    private readonly Dictionary<(string Name, int FromVersion), Func<JsonObject, JsonObject>> _upcasters = [];

    private sealed record Registration(string Name, int SchemaVersion, Type Type, JsonTypeInfo TypeInfo);

    public EventTypeRegistry Register(Type type, string name, int schemaVersion, JsonTypeInfo typeInfo)
    {
        StreamIds.ValidateTypeName(name);
        if (typeInfo.Type != type)
            throw new ArgumentException($"Type info for {typeInfo.Type.Name} given for {type.Name}.", nameof(typeInfo));
        var registration = new Registration(name, schemaVersion, type, typeInfo);
        if (!_byName.TryAdd(name, registration))
            throw new ArgumentException($"Event name '{name}' is registered twice.", nameof(name));
        if (!_byType.TryAdd(type, registration))
            throw new ArgumentException($"Event type {type.Name} is registered twice.", nameof(type));
        return this;
    }

    public EventTypeRegistry Register<T>(string name, int schemaVersion, JsonTypeInfo<T> typeInfo) =>
        Register(typeof(T), name, schemaVersion, typeInfo);

    /// <summary>Registers the step from <paramref name="fromVersion"/> to the next version of event <paramref name="name"/>.</summary>
    public EventTypeRegistry Upcast(string name, int fromVersion, Func<JsonObject, JsonObject> upcast)
    {
        if (!_upcasters.TryAdd((name, fromVersion), upcast))
            throw new ArgumentException($"An upcaster for '{name}' v{fromVersion} is registered twice.", nameof(fromVersion));
        return this;
    }

    public bool IsRegistered(Type type) => _byType.ContainsKey(type);

    public (string Name, int SchemaVersion) NameOf(Type type) =>
        _byType.TryGetValue(type, out var r) ? (r.Name, r.SchemaVersion) : throw new ArgumentException($"Event type {type.Name} is not registered.", nameof(type));

    public EventData ToEventData(object @event, DateTimeOffset businessTime, EventMetadata metadata)
    {
        var registration = _byType.TryGetValue(@event.GetType(), out var r)
            ? r
            : throw new ArgumentException($"Event type {@event.GetType().Name} is not registered.", nameof(@event));
        return new EventData(registration.Name, registration.SchemaVersion, JsonSerializer.Serialize(@event, registration.TypeInfo), businessTime, metadata);
    }

    /// <summary>Deserialises a stored event to its current CLR type, upcasting older schema versions first.</summary>
    public object Deserialize(string name, int schemaVersion, string json)
    {
        if (!_byName.TryGetValue(name, out var registration))
            throw new UnknownEventTypeException(name, schemaVersion);
        if (schemaVersion > registration.SchemaVersion)
            throw new UnknownEventTypeException(name, schemaVersion);
        if (schemaVersion < registration.SchemaVersion)
        {
            var node = JsonNode.Parse(json)?.AsObject() ?? throw new JsonException($"Event '{name}' holds no JSON object.");
            for (var v = schemaVersion; v < registration.SchemaVersion; v++)
            {
                var upcast = _upcasters.TryGetValue((name, v), out var u)
                    ? u
                    : throw new EventStoreException($"Event '{name}' v{v} is stored but no upcaster to v{v + 1} is registered.");
                node = upcast(node);
            }
            json = node.ToJsonString();
        }
        return JsonSerializer.Deserialize(json, registration.TypeInfo)
               ?? throw new JsonException($"Event '{name}' deserialised to null.");
    }

    public object Deserialize(RecordedEvent e) => Deserialize(e.Type, e.SchemaVersion, e.Json);
}
