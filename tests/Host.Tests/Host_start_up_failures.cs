using System.Diagnostics;
using CoManagement.Host.Cli;

namespace CoManagement.Host.Tests;

/// <summary>
/// The program as an operator starts it, with a setting wrong: it used to end in "Unhandled exception" and SIGABRT
/// (exit code 134). It prints what is wrong, without a stack trace, and exits with code 3.
/// </summary>
public sealed class Host_start_up_failures
{
    [Theory]
    [InlineData("ConnectionStrings__EventStore", "Host=127.0.0.1;Portt=5432;Username=postgres", "portt")]
    [InlineData("Auth__SigningKey", "c2hvcnQta2V5", "at least 32 bytes")]
    [InlineData("EventStore__Schema", "Event-Store", "must be a lower-case SQL identifier")]
    [InlineData("Bus__OutboxBatchSize", "0", "Setting Bus:OutboxBatchSize is 0")]
    [InlineData("Bus__OutboxMaxAttempts", "0", "Setting Bus:OutboxMaxAttempts is 0")]
    [InlineData("Bus__OutboxPollInterval", "-00:00:01", "Setting Bus:OutboxPollInterval is -00:00:01")]
    [InlineData("EventStore__SealInterval", "00:00:00", "Setting EventStore:SealInterval")]
    [InlineData("Health__CheckTimeoutSeconds", "0", "Setting Health:CheckTimeoutSeconds")]
    public async Task a_bad_setting_is_named_and_the_exit_code_is_3(string setting, string value, string message)
    {
        var (code, stderr) = await RunHostAsync(new() { [setting] = value });

        code.ShouldBe(OperatorVerbs.Failed, stderr);
        stderr.ShouldContain(message, Case.Insensitive);
        stderr.ShouldNotContain("Unhandled exception");
        stderr.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task a_schema_name_too_long_for_the_projections_schemas_is_refused_before_migrate_creates_anything()
    {
        var schema = "ht_" + new string('x', 50);
        try
        {
            var (code, output) = await HostFixture.RunVerbAsync(["migrate", .. HostFixture.ConfigFor(schema)]);

            code.ShouldBe(OperatorVerbs.Usage, output);
            output.ShouldContain("too long");
            await using var dataSource = Npgsql.NpgsqlDataSource.Create(HostFixture.ConnectionString);
            await using var count = dataSource.CreateCommand($"SELECT count(*) FROM pg_namespace WHERE nspname LIKE '{schema}%'");
            ((long)(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken))!).ShouldBe(0);
        }
        finally
        {
            await HostFixture.DropSchemasAsync(schema);
        }
    }

    [Fact]
    public async Task an_unreachable_database_is_retried_for_the_configured_time_then_the_start_fails_with_code_3()
    {
        var watch = Stopwatch.StartNew();
        var (code, stderr) = await RunHostAsync(new()
        {
            ["ConnectionStrings__EventStore"] = "Host=127.0.0.1;Port=1;Username=nobody;Timeout=2",
            ["EventStore__DatabaseWaitOnStart"] = "00:00:04",
        });

        code.ShouldBe(OperatorVerbs.Failed, stderr);
        stderr.ShouldContain("Database not reachable after");
        stderr.ShouldNotContain("Unhandled exception");
        watch.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(3), "it retried before giving up");
    }

    internal static async Task<(int Code, string Stderr)> RunHostAsync(Dictionary<string, string> environment, params string[] args)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__EventStore"] = HostFixture.ConnectionString,
            ["EventStore__Schema"] = HostFixture.NewSchema(),
            ["Auth__SigningKey"] = HostFixture.SigningKey,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["RABBITMQ_URI"] = "",
        };
        foreach (var (key, value) in environment)
            settings[key] = value;
        var (code, stdout, stderr) = await HostFixture.RunProgramAsync(args, settings, TimeSpan.FromSeconds(90));
        return (code, stderr + stdout);
    }
}
