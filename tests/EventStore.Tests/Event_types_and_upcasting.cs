using System.Text.Json.Nodes;
using static CoManagement.EventStore.Tests.TestEvents;

namespace CoManagement.EventStore.Tests;

public sealed class Event_types_and_upcasting(StoreFixture db) : IClassFixture<StoreFixture>
{
    private static EventTypeRegistry Registry() => new EventTypeRegistry()
        .Register("person.registered", 2, TestJson.Default.PersonRegistered)
        .Upcast("person.registered", 1, v1 =>
        {
            var parts = v1["name"]!.GetValue<string>().Split(' ', 2);
            return new JsonObject { ["givenName"] = parts[0], ["familyName"] = parts.Length > 1 ? parts[1] : "" };
        });

    [Fact]
    public async Task an_old_schema_version_is_upcast_on_read()
    {
        var stream = NewStream();
        await db.Store.AppendAsync(stream, ExpectedVersion.NoStream, [Event("person.registered", """{"name": "Li Wei"}""", schemaVersion: 1)]);
        var stored = (await db.Store.ReadStreamAsync(stream)).Single();

        Registry().Deserialize(stored).ShouldBe(new PersonRegistered("Li", "Wei"));
    }

    [Fact]
    public async Task the_current_version_round_trips_through_the_registry()
    {
        var stream = NewStream();
        var registry = Registry();
        await db.Store.AppendAsync(stream, ExpectedVersion.NoStream, [registry.ToEventData(new PersonRegistered("Zhang", "Min"), Monday, EventMetadata.Empty)]);
        var stored = (await db.Store.ReadStreamAsync(stream)).Single();
        stored.Type.ShouldBe("person.registered");
        stored.SchemaVersion.ShouldBe(2);
        registry.Deserialize(stored).ShouldBe(new PersonRegistered("Zhang", "Min"));
    }

    [Fact]
    public async Task an_unknown_type_fails_clearly()
    {
        var stream = NewStream();
        await db.Store.AppendAsync(stream, ExpectedVersion.NoStream, [Event("nobody.knows")]);
        var error = await Should.ThrowAsync<UnknownEventTypeException>(() =>
            db.Store.AggregateStreamAsync(stream, Registry(), 0, (s, _) => s + 1));
        error.Type.ShouldBe("nobody.knows");
    }

    [Fact]
    public void a_newer_schema_version_than_the_code_knows_fails_clearly() =>
        Should.Throw<UnknownEventTypeException>(() => Registry().Deserialize("person.registered", 3, "{}"));

    [Fact]
    public void registering_a_name_twice_is_refused() =>
        Should.Throw<ArgumentException>(() => new EventTypeRegistry()
            .Register("x", 1, TestJson.Default.Counted)
            .Register("x", 1, TestJson.Default.PersonRegistered));
}
