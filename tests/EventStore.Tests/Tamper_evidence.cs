using Npgsql;
using static CoManagement.EventStore.Tests.TestEvents;

namespace CoManagement.EventStore.Tests;

public sealed class Tamper_evidence : IAsyncLifetime
{
    /// <summary>What a forger with the table's ownership does first: switch the append-only triggers off.</summary>
    private const string Bypass = "ALTER TABLE {schema}.events DISABLE TRIGGER USER";

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
        await _db.ExecuteAsync($"{Bypass}; UPDATE {{schema}}.events SET data = '{{\"id\": \"forged\"}}' WHERE stream_id = '{stream}' AND version = 3");

        var report = await Store.VerifyStreamAsync(stream);

        report.Intact.ShouldBeFalse();
        report.FirstBroken!.StreamId.ShouldBe(stream);
        report.FirstBroken.Version.ShouldBe(3);
        (await Store.VerifyStoreAsync()).FirstBroken!.Version.ShouldBe(3);
    }

    [Theory]
    [InlineData("UPDATE {schema}.events SET data = '{}'")]
    [InlineData("DELETE FROM {schema}.events")]
    [InlineData("TRUNCATE {schema}.events")]
    [InlineData("DELETE FROM {schema}.seals")]
    [InlineData("UPDATE {schema}.seals SET event_count = 0")]
    [InlineData("TRUNCATE {schema}.seals")]
    [InlineData("DELETE FROM {schema}.events_archive")]
    [InlineData("DELETE FROM {schema}.archived_streams")]
    public async Task the_history_refuses_to_be_changed_or_deleted(string sql)
    {
        var archived = NewStream();
        await Store.AppendAsync(archived, ExpectedVersion.NoStream, Events(2));
        (await Store.ArchiveStreamAsync(archived)).ShouldBeTrue("the archive's own move out of the hot table is let through");
        await Store.AppendAsync(NewStream(), ExpectedVersion.NoStream, Events(2));
        (await Store.WriteSealAsync()).ShouldNotBeNull();

        var refused = await Should.ThrowAsync<PostgresException>(() => _db.ExecuteAsync(sql));

        refused.SqlState.ShouldBe("ES403");
        refused.MessageText.ShouldContain("append-only");
        (await Store.VerifyStoreAsync()).Intact.ShouldBeTrue();
    }

    [Fact]
    public async Task a_deleted_event_is_caught()
    {
        var stream = NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, Events(3));
        await _db.ExecuteAsync($"{Bypass}; DELETE FROM {{schema}}.events WHERE stream_id = '{stream}' AND version = 2");
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
            {{Bypass}};
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

    [Fact]
    public async Task a_copy_streamed_in_position_order_is_checked_event_by_event_and_its_first_fault_named()
    {
        var (a, b) = (NewStream(), NewStream());
        await Store.AppendAsync(a, ExpectedVersion.NoStream, Events(2));
        await Store.AppendAsync(b, ExpectedVersion.NoStream, Events(2));
        await Store.WriteSealAsync();
        await Store.AppendAsync(a, ExpectedVersion.Exactly(2), Events(2));
        await Store.WriteSealAsync();
        await Store.AppendAsync(b, ExpectedVersion.Exactly(2), Events(1)); // after the last seal: its chain is checked all the same
        var seals = await Store.GetSealsAsync();
        var events = new MemoryStream();
        await Store.ExportEventsAsync(events);
        events.Position = 0;
        var copy = new List<ExportedEvent>();
        await foreach (var e in PostgresEventStore.ReadEventExport(events))
            copy.Add(e);
        copy.Count.ShouldBe(7);

        static VerificationReport Check(IEnumerable<ExportedEvent> copy, IReadOnlyList<Seal> seals)
        {
            using var verifier = new ExportVerifier(seals);
            foreach (var e in copy)
            {
                if (!verifier.Add(e))
                    break;
            }
            return verifier.Finish();
        }

        var intact = new VerificationReport(2, 7, 2, null) { Coverage = new SealCoverage(6, seals[^1].ToPosition, 1, copy[^1].Position, copy[^1].Position) };
        Check(copy, seals).ShouldBe(intact);
        // An event of the first seal's range gone: its stream's chain skips a version.
        Check(copy.Where(e => !(e.StreamId == a && e.Version == 1)), seals).FirstBroken!.Reason.ShouldContain("version 2 follows version 0");
        // A stream's last event under a seal gone: the chain cannot tell, the seal can.
        Check(copy.Where(e => !(e.StreamId == b && e.Version == 2)), seals).FirstBroken!.SealNo.ShouldBe(1);
        // The same event twice, or the copy out of order.
        Check([.. copy[..3], copy[2], .. copy[3..]], seals).FirstBroken!.Reason.ShouldContain("not in position order, or holds an event twice");
        // An event altered after the last seal: only its chain covers it.
        Check([.. copy[..^1], copy[^1] with { Data = copy[^1].Data.Replace("1", "2", StringComparison.Ordinal) }], seals).FirstBroken!.Position
            .ShouldBe(copy[^1].Position);
        // A seal the copy never reaches finds no events.
        Check(copy.Take(4), seals).FirstBroken!.SealNo.ShouldBe(2);
        ChainVerifier.VerifyExport(Enumerable.Reverse(copy), seals).ShouldBe(intact, "any order, held and sorted");
    }

    [Fact]
    public async Task a_copy_reports_the_events_no_seal_covers_a_forged_stream_after_the_last_seal_or_every_event_without_seals()
    {
        await Store.AppendAsync(NewStream(), ExpectedVersion.NoStream, Events(3));
        var seal = (await Store.WriteSealAsync())!;
        var forged = NewStream();
        await Store.AppendAsync(forged, ExpectedVersion.NoStream, Events(2)); // as a forger would append a whole, self-consistent stream
        var events = new MemoryStream();
        await Store.ExportEventsAsync(events);
        events.Position = 0;
        var copy = await PostgresEventStore.ReadEventExportAsync(events);
        var appended = copy.Where(e => e.StreamId == forged).Select(e => e.Position).ToList();

        var report = ChainVerifier.VerifyExport(copy, [seal]);
        report.Intact.ShouldBeTrue("every chain holds");
        report.Coverage.ShouldBe(new SealCoverage(3, seal.ToPosition, 2, appended[0], appended[1]));
        report.Coverage!.Complete.ShouldBeFalse();

        var unsealed = ChainVerifier.VerifyExport(copy, []);
        unsealed.Coverage.ShouldBe(new SealCoverage(0, 0, 5, copy[0].Position, copy[^1].Position));
    }

    [Fact]
    public async Task seals_must_follow_each_other_from_position_0_offline_and_in_the_store()
    {
        await Store.AppendAsync(NewStream(), ExpectedVersion.NoStream, Events(2));
        await Store.WriteSealAsync();
        await Store.AppendAsync(NewStream(), ExpectedVersion.NoStream, Events(2));
        await Store.WriteSealAsync();
        var seals = await Store.GetSealsAsync();
        var events = new MemoryStream();
        await Store.ExportEventsAsync(events);
        events.Position = 0;
        var copy = await PostgresEventStore.ReadEventExportAsync(events);

        var withoutFirst = ChainVerifier.VerifyExport(copy, [seals[1]]).FirstBroken!;
        withoutFirst.SealNo.ShouldBe(2);
        withoutFirst.Reason.ShouldContain("a seal is missing or repeated");
        // The first seal dropped and the second renumbered and re-chained, as a forger with the store's own functions would.
        var second = seals[1];
        var digest = Convert.FromHexString(second.EventsHash);
        var renumbered = second with { SealNo = 1, SealHash = Convert.ToHexStringLower(HashChain.SealHash(HashChain.Genesis, 1, second.FromPosition, second.ToPosition, second.EventCount, digest)) };
        ChainVerifier.VerifyExport(copy, [renumbered]).FirstBroken!.Reason.ShouldContain("do not cover the positions contiguously");

        await _db.ExecuteAsync("ALTER TABLE {schema}.seals DISABLE TRIGGER USER; DELETE FROM {schema}.seals WHERE seal_no = 1");
        var report = await Store.VerifyStoreAsync();
        report.FirstBroken!.SealNo.ShouldBe(2);
        report.FirstBroken.Reason.ShouldContain("a seal is missing or repeated");
    }

    [Fact]
    public async Task the_store_reports_events_after_its_last_seal_as_not_yet_sealed_without_failing()
    {
        await Store.AppendAsync(NewStream(), ExpectedVersion.NoStream, Events(2));
        var seal = (await Store.WriteSealAsync())!;
        var positions = (await Store.AppendAsync(NewStream(), ExpectedVersion.NoStream, Events(3))).Positions;

        var report = await Store.VerifyStoreAsync();

        report.Intact.ShouldBeTrue();
        report.Coverage.ShouldBe(new SealCoverage(2, seal.ToPosition, 3, positions[0], positions[^1]));
    }
}
