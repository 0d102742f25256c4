using CoManagement.Domain.Common;
using CoManagement.EventStore;
using CoManagement.Host.Auth;
using CoManagement.Host.Cli;
using Npgsql;
using static CoManagement.Host.Tests.Scenario;

namespace CoManagement.Host.Tests;

public sealed class Operator_verbs(HostFixture host) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task migrate_creates_a_fresh_store_and_is_idempotent()
    {
        var schema = HostFixture.NewSchema();
        try
        {
            var (code, output) = await HostFixture.RunVerbAsync(["migrate", .. HostFixture.ConfigFor(schema)]);
            code.ShouldBe(0, output);
            output.ShouldContain("applied migrations");

            (code, output) = await HostFixture.RunVerbAsync(["migrate", .. HostFixture.ConfigFor(schema)]);
            code.ShouldBe(0, output);
            output.ShouldContain("up to date");
            await using var dataSource = NpgsqlDataSource.Create(HostFixture.ConnectionString);
            await using var cmd = dataSource.CreateCommand($"SELECT to_regclass('{schema}.events') IS NOT NULL AND to_regclass('{schema}_host.audit_reads') IS NOT NULL");
            ((bool)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))!).ShouldBeTrue();
        }
        finally
        {
            await HostFixture.DropSchemasAsync(schema);
        }
    }

    [Fact]
    public async Task verify_passes_an_intact_store_and_exits_1_on_a_broken_link()
    {
        var schema = HostFixture.NewSchema();
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(HostFixture.ConnectionString);
            var store = await MigratedStoreAsync(schema, dataSource);
            for (var i = 0; i < 3; i++)
            {
                await store.AppendAsync($"member-v{i}", ExpectedVersion.NoStream,
                    [new EventData("test.happened", 1, $$"""{"n": {{i}}}""", On(3, 1), EventMetadata.Empty)], ct: TestContext.Current.CancellationToken);
            }

            var (code, output) = await HostFixture.RunVerbAsync(["verify", .. HostFixture.ConfigFor(schema)]);
            code.ShouldBe(0, output);
            output.ShouldContain("intact");
            output.ShouldContain("3 streams, 3 events");
            output.ShouldContain("sealed: no seal");
            output.ShouldContain("not yet sealed: 3 events at positions 1..3");

            await using (var tamper = dataSource.CreateCommand($$"""
                ALTER TABLE {{schema}}.events DISABLE TRIGGER USER;
                UPDATE {{schema}}.events SET data = '{"n": 42}' WHERE stream_id = 'member-v1'
                """))
                await tamper.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            (code, output) = await HostFixture.RunVerbAsync(["verify", .. HostFixture.ConfigFor(schema)]);
            code.ShouldBe(1, output);
            output.ShouldContain("BROKEN");
            output.ShouldContain("member-v1");
        }
        finally
        {
            await HostFixture.DropSchemasAsync(schema);
        }
    }

    [Fact]
    public async Task token_prints_a_token_the_host_accepts()
    {
        var output = new StringWriter();
        var (code, console) = await HostFixture.RunVerbAsync(
            ["token", "--role", "analyst", "--org", PlDept, "--side", "outflow", "--user", "u-cli", .. host.ConfigArgs], output);
        code.ShouldBe(0, console);
        var token = output.ToString().Trim();

        var (identity, error) = await host.Tokens.ValidateAsync(token);
        error.ShouldBeNull();
        Caller.From(new System.Security.Claims.ClaimsPrincipal(identity!)).ShouldBe(new Caller("u-cli", Roles.Analyst, PlDept, Side.Outflow));
        using var client = host.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var response = await client.GetAsync(new Uri("/api/agreements", UriKind.Relative), TestContext.Current.CancellationToken);
        ((int)response.StatusCode).ShouldBe(200);
    }

    [Theory]
    [InlineData("--role", "superuser", "--org", "x", "--side", "Outflow")]
    [InlineData("--role", "analyst", "--org", "x", "--side", "Up")]
    [InlineData("--role", "analyst", "--side", "Outflow")]
    public async Task token_refuses_a_bad_role_side_or_missing_org_with_exit_code_2(params string[] args)
    {
        var (code, output) = await HostFixture.RunVerbAsync(["token", .. args, .. host.ConfigArgs]);

        code.ShouldBe(2, output);
    }

    [Fact]
    public async Task token_without_a_signing_key_explains_and_offers_one()
    {
        var (code, output) = await HostFixture.RunVerbAsync(["token", "--role", "analyst", "--org", "x", "--side", "Outflow", "--Auth:SigningKey="]);

        code.ShouldBe(3);
        output.ShouldContain("Auth__SigningKey=");
    }

    [Fact]
    public async Task export_seals_writes_the_seals_as_json()
    {
        await host.Services.GetRequiredService<PostgresEventStore>().WriteSealAsync(TestContext.Current.CancellationToken);
        var file = Path.Combine(Path.GetTempPath(), $"seals-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output) = await HostFixture.RunVerbAsync(["export-seals", file, .. host.ConfigArgs]);

            code.ShouldBe(0, output);
            await using var stream = File.OpenRead(file);
            var seals = await PostgresEventStore.ReadSealExportAsync(stream, TestContext.Current.CancellationToken);
            seals.ShouldNotBeEmpty();
            seals[^1].ToPosition.ShouldBeGreaterThan(0);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task an_exported_copy_of_the_events_is_verified_against_the_exported_seals_without_a_database()
    {
        var ct = TestContext.Current.CancellationToken;
        var schema = HostFixture.NewSchema();
        var (events, seals) = (Path.GetTempFileName(), Path.GetTempFileName());
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(HostFixture.ConnectionString);
            var store = await MigratedStoreAsync(schema, dataSource);
            for (var i = 0; i < 4; i++)
            {
                await store.AppendAsync($"member-c{i % 2}", ExpectedVersion.Any,
                    [new EventData("test.happened", 1, $$"""{"n": {{i}}, "name": "张三"}""", On(3, 1), EventMetadata.Empty)], ct: ct);
            }
            var (code, output) = await HostFixture.RunVerbAsync(["seal", .. HostFixture.ConfigFor(schema)]);
            code.ShouldBe(0, output);
            output.ShouldContain("seal 1: positions 1..4 (4 events)");
            (code, output) = await HostFixture.RunVerbAsync(["seal", .. HostFixture.ConfigFor(schema)]);
            output.ShouldContain("nothing new to seal");

            (code, output) = await HostFixture.RunVerbAsync(["export-events", events, .. HostFixture.ConfigFor(schema)]);
            code.ShouldBe(0, output);
            output.ShouldContain("4 events");
            await using (var logged = dataSource.CreateCommand($"SELECT role || ' ' || action FROM {schema}_host.audit_reads"))
                ((string?)await logged.ExecuteScalarAsync(ct)).ShouldBe("operator export-events", "the export of every member's record is audited");
            (await HostFixture.RunVerbAsync(["export-seals", seals, .. HostFixture.ConfigFor(schema)])).Code.ShouldBe(0);

            // No connection string: the copy is checked on its own.
            (code, output) = await HostFixture.RunVerbAsync(["verify-copy", events, seals]);
            code.ShouldBe(0, output);
            output.ShouldContain("intact");
            output.ShouldContain("2 streams, 4 events, 1 seals checked");

            var lines = await File.ReadAllLinesAsync(events, ct);
            var altered = System.Text.Json.Nodes.JsonNode.Parse(lines[2])!;
            altered["data"] = altered["data"]!.GetValue<string>().Replace("2", "7", StringComparison.Ordinal);
            await File.WriteAllLinesAsync(events, [.. lines[..2], altered.ToJsonString(), .. lines[3..]], ct);
            (code, output) = await HostFixture.RunVerbAsync(["verify-copy", events, seals]);
            code.ShouldBe(1, output);
            output.ShouldContain("BROKEN");

            await File.WriteAllLinesAsync(events, lines[..^1], ct);
            (code, output) = await HostFixture.RunVerbAsync(["verify-copy", events, seals]);
            code.ShouldBe(1, output);
            output.ShouldContain("seal 1");

            await File.WriteAllTextAsync(events, "not json", ct);
            (code, output) = await HostFixture.RunVerbAsync(["verify-copy", events, seals]);
            code.ShouldBe(3, output);
            output.ShouldContain("verify-copy failed");
        }
        finally
        {
            File.Delete(events);
            File.Delete(seals);
            await HostFixture.DropSchemasAsync(schema);
        }
    }

    [Fact]
    public async Task a_copy_with_events_no_seal_covers_is_reported_unproven_with_exit_code_4()
    {
        var ct = TestContext.Current.CancellationToken;
        var schema = HostFixture.NewSchema();
        var (events, seals, noSeals) = (Path.GetTempFileName(), Path.GetTempFileName(), Path.GetTempFileName());
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(HostFixture.ConnectionString);
            var store = await MigratedStoreAsync(schema, dataSource);
            for (var i = 0; i < 3; i++)
                await store.AppendAsync($"member-s{i}", ExpectedVersion.NoStream, [new EventData("test.happened", 1, $$"""{"n": {{i}}}""", On(3, 1), EventMetadata.Empty)], ct: ct);
            (await HostFixture.RunVerbAsync(["seal", .. HostFixture.ConfigFor(schema)])).Code.ShouldBe(0);
            // A member appended after the last seal, as a forger would add one: its chain is self-consistent.
            await store.AppendAsync("member-forged", ExpectedVersion.NoStream, [new EventData("test.happened", 1, """{"n": 9}""", On(3, 2), EventMetadata.Empty)], ct: ct);
            (await HostFixture.RunVerbAsync(["export-events", events, .. HostFixture.ConfigFor(schema)])).Code.ShouldBe(0);
            (await HostFixture.RunVerbAsync(["export-seals", seals, .. HostFixture.ConfigFor(schema)])).Code.ShouldBe(0);
            await File.WriteAllTextAsync(noSeals, "[]", ct);

            var (code, output) = await HostFixture.RunVerbAsync(["verify-copy", events, seals]);
            code.ShouldBe(OperatorVerbs.Unsealed, output);
            output.ShouldContain("UNPROVEN");
            output.ShouldContain("sealed: 3 events, positions 1..3");
            output.ShouldContain("not under any seal: 1 events at positions 4..4");
            output.ShouldNotContain("intact:");

            (code, output) = await HostFixture.RunVerbAsync(["verify-copy", events, noSeals]);
            code.ShouldBe(OperatorVerbs.Unsealed, output);
            output.ShouldContain("sealed: no seal");
            output.ShouldContain("not under any seal: 4 events at positions 1..4");

            // In the live store the same head is only not yet sealed.
            (code, output) = await HostFixture.RunVerbAsync(["verify", .. HostFixture.ConfigFor(schema)]);
            code.ShouldBe(0, output);
            output.ShouldContain("not yet sealed: 1 events at positions 4..4");
        }
        finally
        {
            File.Delete(events);
            File.Delete(seals);
            File.Delete(noSeals);
            await HostFixture.DropSchemasAsync(schema);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task export_events_writes_a_file_only_its_owner_may_read_new_or_replaced()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        var schema = HostFixture.NewSchema();
        var folder = Directory.CreateTempSubdirectory("export-mode-");
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(HostFixture.ConnectionString);
            var store = await MigratedStoreAsync(schema, dataSource);
            await store.AppendAsync("member-x", ExpectedVersion.NoStream,
                [new EventData("test.happened", 1, """{"idNumber": "620802199001010011"}""", On(3, 1), EventMetadata.Empty)], ct: TestContext.Current.CancellationToken);
            var fresh = Path.Combine(folder.FullName, "events.jsonl");
            var replaced = Path.Combine(folder.FullName, "old.jsonl");
            await File.WriteAllTextAsync(replaced, "old", TestContext.Current.CancellationToken);
            File.SetUnixFileMode(replaced, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

            foreach (var path in new[] { fresh, replaced })
            {
                var (code, output) = await HostFixture.RunVerbAsync(["export-events", path, .. HostFixture.ConfigFor(schema)]);
                code.ShouldBe(0, output);
                File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite, path);
                (await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken)).ShouldContain("620802199001010011");
            }
        }
        finally
        {
            folder.Delete(recursive: true);
            await HostFixture.DropSchemasAsync(schema);
        }
    }

    /// <summary>The schema migrated by the verb, and a store on it.</summary>
    private static async Task<PostgresEventStore> MigratedStoreAsync(string schema, NpgsqlDataSource dataSource)
    {
        (await HostFixture.RunVerbAsync(["migrate", .. HostFixture.ConfigFor(schema)])).Code.ShouldBe(0);
        return new PostgresEventStore(dataSource, new EventStoreOptions { Schema = schema });
    }

    [Fact]
    public async Task rebuild_replays_projections_together_and_swaps_each_in()
    {
        var catalog = host.Services.GetService<Projections.ProjectionCatalog>();
        Assert.SkipWhen(catalog is null, "the Host does not register the projection catalog");
        // The inline ones: the Host under test runs the async ones and keeps their leases.
        var names = catalog!.Inline.Select(p => p.Name).ToArray();

        var (code, output) = await HostFixture.RunVerbAsync(["rebuild", .. names, .. host.ConfigArgs]);

        code.ShouldBe(0, output);
        foreach (var name in names)
            output.ShouldContain($"{name} rebuilt");
        var (status, body, _) = await host.GetAsync(Analyst, $"/api/roster?org={PlDept}");
        status.ShouldBe(200);
        body.GetProperty("total").GetInt64().ShouldBe(4);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(true, "--urls", "http://127.0.0.1:5999")]
    [InlineData(true, "--EventStore:Schema=x", "--Auth:SigningKey", "k")]
    [InlineData(false, "migrate")]
    [InlineData(false, "--help")]
    [InlineData(false, "-h")]
    [InlineData(false, "-?")]
    [InlineData(false, "--urls", "http://127.0.0.1:5999", "--help")]
    [InlineData(false, "--frobnicate")]
    [InlineData(false, "-v")]
    [InlineData(false, "--EventStore:Schema=x", "--verbose", "--urls=x")]
    public void only_no_arguments_or_configuration_overrides_start_the_host(bool starts, params string[] args) =>
        OperatorVerbs.StartsHost(args).ShouldBe(starts);

    [Theory]
    [InlineData("help")]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--EventStore:Schema=x", "-h")]
    public async Task help_asked_for_lists_the_verbs_and_exits_0(params string[] args)
    {
        var (code, output) = await HostFixture.RunVerbAsync(args);

        code.ShouldBe(0, output);
        output.ShouldContain("verify-copy <events> <seals>");
        output.ShouldNotContain("unknown option '");
        output.ShouldNotContain("unknown verb '");
    }

    [Theory]
    [InlineData("--frobnicate")]
    [InlineData("-v")]
    [InlineData("--EventStore:Schema=x", "--frobnicate")]
    public async Task an_unknown_option_prints_the_help_and_exits_2(params string[] args)
    {
        var (code, output) = await HostFixture.RunVerbAsync(args);

        code.ShouldBe(2, output);
        output.ShouldContain($"unknown option '{args[^1]}'");
        output.ShouldContain("verify-copy <events> <seals>");
    }

    /// <summary>
    /// The program itself, as an operator starts it: with an unreachable database, a Host booted by mistake would not
    /// print the help and exit, it would fail or hang until the timeout.
    /// </summary>
    [Theory]
    [InlineData("--help", 0)]
    [InlineData("-h", 0)]
    [InlineData("--frobnicate", 2)]
    public async Task the_program_prints_the_help_for_an_option_instead_of_starting_the_host(string option, int expected)
    {
        var (code, stdout, stderr) = await HostFixture.RunProgramAsync([option], new Dictionary<string, string>
        {
            ["ConnectionStrings__EventStore"] = "Host=127.0.0.1;Port=1;Username=nobody;Timeout=2",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        }, TimeSpan.FromSeconds(60)); // a Host started by mistake would fail or hang instead

        code.ShouldBe(expected, stderr);
        var (help, other) = expected == 0 ? (stdout, stderr) : (stderr, stdout);
        help.ShouldContain("verify-copy <events> <seals>");
        other.ShouldBeEmpty();
    }

    [Fact]
    public async Task an_unknown_verb_or_projection_is_a_usage_error()
    {
        (await HostFixture.RunVerbAsync(["frobnicate"])).Code.ShouldBe(2);
        (await HostFixture.RunVerbAsync(["rebuild", "no-such-projection", .. host.ConfigArgs])).Code.ShouldBe(2);
        (await HostFixture.RunVerbAsync(["rebuild", .. host.ConfigArgs])).Code.ShouldBe(2);
        (await HostFixture.RunVerbAsync(["rebuild", "roster", "no-such-projection", .. host.ConfigArgs])).Code.ShouldBe(2);
    }

    [Theory]
    [InlineData("verify", "--dry-run")]
    [InlineData("migrate", "extra")]
    [InlineData("verify-copy", "a", "b", "c")]
    [InlineData("token", "--role", "analyst", "--org", "x", "--side", "Outflow", "--hours", "Infinity")]
    [InlineData("token", "--role", "analyst", "--org", "x", "--side", "Outflow", "--hours", "1e12")]
    [InlineData("seed", "--size", "9999999999999m")]
    [InlineData("seed", "--size", "0")]
    public async Task an_unknown_option_an_extra_argument_or_a_number_out_of_range_is_a_usage_error_that_creates_nothing(params string[] args)
    {
        var schema = HostFixture.NewSchema();
        var (code, output) = await HostFixture.RunVerbAsync([.. args, .. HostFixture.ConfigFor(schema)]);

        code.ShouldBe(OperatorVerbs.Usage, output);
        await using var dataSource = NpgsqlDataSource.Create(HostFixture.ConnectionString);
        await using var cmd = dataSource.CreateCommand("SELECT count(*) FROM pg_namespace WHERE starts_with(nspname, $1)");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schema });
        ((long)(await cmd.ExecuteScalarAsync())!).ShouldBe(0, "nothing was migrated");
    }
}
