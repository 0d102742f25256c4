using static CoManagement.EventStore.Tests.TestEvents;

namespace CoManagement.EventStore.Tests;

public sealed class Tamper_evidence : IAsyncLifetime
{
    private readonly StoreFixture _db = new();
    private PostgresEventStore Store => _db.Store;

    public ValueTask InitializeAsync() => _db.InitializeAsync();

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task an_intact_store_verifies_including_chinese_text_and_escapes()
    {
        var stream = NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.NoStream,
            [Event(json: """{"place": "广州市荔湾区金花街", "note": "tab\there \"quoted\" \\ \u00e9", "n": 1.50, "big": 1e3}""")]);
        await Store.AppendAsync(stream, ExpectedVersion.Exactly(1), Events(3));
        (await Store.VerifyStreamAsync(stream)).Intact.ShouldBeTrue();
        var report = await Store.VerifyStoreAsync();
        report.Intact.ShouldBeTrue();
        report.EventsChecked.ShouldBe(4);
    }

    [Fact]
    public async Task an_event_row_altered_with_sql_is_caught_at_the_first_broken_link()
    {
        var stream = NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, Events(5));
        await _db.ExecuteAsync($"UPDATE {{schema}}.events SET data = '{{\"id\": \"forged\"}}' WHERE stream_id = '{stream}' AND version = 3");

        var report = await Store.VerifyStreamAsync(stream);

        report.Intact.ShouldBeFalse();
        report.FirstBroken!.StreamId.ShouldBe(stream);
        report.FirstBroken.Version.ShouldBe(3);
        (await Store.VerifyStoreAsync()).FirstBroken!.Version.ShouldBe(3);
    }

    [Fact]
    public async Task a_deleted_event_is_caught()
    {
        var stream = NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, Events(3));
        await _db.ExecuteAsync($"DELETE FROM {{schema}}.events WHERE stream_id = '{stream}' AND version = 2");
        (await Store.VerifyStreamAsync(stream)).FirstBroken!.Version.ShouldBe(3);
    }

    [Fact]
    public async Task a_copied_seal_detects_offline_an_alteration_that_also_rewrote_the_hash_chain()
    {
        var stream = NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, Events(4));
        await Store.AppendAsync(NewStream(), ExpectedVersion.NoStream, Events(2));
        var seal = await Store.WriteSealAsync();
        seal.ShouldNotBeNull();
        seal.EventCount.ShouldBe(6);
        (await Store.WriteSealAsync()).ShouldBeNull("nothing new to seal");

        var sealCopy = new MemoryStream();
        await Store.ExportSealsAsync(sealCopy);

        // A careful forger alters an event and recomputes the chain of its stream with the store's own function.
        await _db.ExecuteAsync($$"""
            UPDATE {schema}.events SET data = '{"id": "forged"}' WHERE stream_id = '{{stream}}' AND version = 2;
            DO $$
            DECLARE r record; h bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
            BEGIN
              FOR r IN SELECT * FROM {schema}.events WHERE stream_id = '{{stream}}' ORDER BY version LOOP
                h := {schema}.event_hash(h, r.stream_id, r.version, r.position, r.type, r.schema_version, r.business_time, r.recorded_time, r.data, r.metadata);
                UPDATE {schema}.events SET hash = h WHERE position = r.position;
              END LOOP;
            END $$;
            """);
        (await Store.VerifyStreamAsync(stream)).Intact.ShouldBeTrue("the forged chain is self-consistent");

        var eventCopy = new MemoryStream();
        (await Store.ExportEventsAsync(eventCopy)).ShouldBe(6);
        sealCopy.Position = 0;
        eventCopy.Position = 0;
        var offline = ChainVerifier.VerifyExport(await PostgresEventStore.ReadEventExportAsync(eventCopy), await PostgresEventStore.ReadSealExportAsync(sealCopy));

        offline.Intact.ShouldBeFalse();
        offline.FirstBroken!.SealNo.ShouldBe(1);
        (await Store.VerifyStoreAsync()).FirstBroken!.SealNo.ShouldBe(1);
    }

    [Fact]
    public async Task an_untouched_export_verifies_offline_against_its_seals()
    {
        await Store.AppendAsync(NewStream(), ExpectedVersion.NoStream, Events(3));
        await Store.WriteSealAsync();
        await Store.AppendAsync(NewStream(), ExpectedVersion.NoStream, Events(2));
        (await Store.WriteSealAsync())!.SealNo.ShouldBe(2);

        var seals = new MemoryStream();
        var events = new MemoryStream();
        await Store.ExportSealsAsync(seals);
        await Store.ExportEventsAsync(events);
        seals.Position = events.Position = 0;
        var report = ChainVerifier.VerifyExport(await PostgresEventStore.ReadEventExportAsync(events), await PostgresEventStore.ReadSealExportAsync(seals));
        report.Intact.ShouldBeTrue();
        report.SealsChecked.ShouldBe(2);
    }
}
