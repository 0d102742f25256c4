using System.Net.Http.Headers;
using System.Text.Json;
using CoManagement.Application;
using CoManagement.EventStore;
using CoManagement.Host.Auth;
using CoManagement.Host.Cli;
using CoManagement.Projections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Spectre.Console;

[assembly: CaptureConsole]

namespace CoManagement.Host.Tests;

/// <summary>
/// The Host in memory (WebApplicationFactory) against the test PostgreSQL (ES_TEST_POSTGRES) in a fresh schema per
/// test class, migrated by the <c>migrate</c> verb, with the scenario written through the command handler.
/// </summary>
public class HostFixture : IAsyncLifetime
{
    public const string SigningKey = "aG9zdC10ZXN0cy1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVm";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("ES_TEST_POSTGRES")
        ?? throw new InvalidOperationException("ES_TEST_POSTGRES is not set: run the tests through ./test.sh, which starts PostgreSQL.");

    public string Schema { get; } = NewSchema();

    public TokenIssuer Tokens { get; } = new(SigningKey);

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    public IServiceProvider Services => Factory.Services;

    public string[] ConfigArgs => ConfigFor(Schema);

    protected virtual bool WriteScenario => true;

    public static string NewSchema() => "ht_" + Guid.NewGuid().ToString("N")[..16];

    public static string[] ConfigFor(string schema) =>
        [$"--ConnectionStrings:EventStore={ConnectionString}", $"--EventStore:Schema={schema}", $"--Auth:SigningKey={SigningKey}"];

    public async ValueTask InitializeAsync()
    {
        var (code, output) = await RunVerbAsync(["migrate", .. ConfigArgs]);
        code.ShouldBe(0, output);
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("ConnectionStrings:EventStore", ConnectionString)
            .UseSetting("EventStore:Schema", Schema)
            .UseSetting("Auth:SigningKey", SigningKey));
        if (WriteScenario)
        {
            await Scenario.WriteAsync(Services.GetRequiredService<CommandHandler>());
            await CaughtUpAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await DropSchemasAsync(Schema);
        GC.SuppressFinalize(this);
    }

    public HttpClient Client(Caller? caller)
    {
        var client = Factory.CreateClient();
        if (caller is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Issue(caller));
        return client;
    }

    public async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> GetAsync(Caller? caller, string url)
    {
        using var client = Client(caller);
        var response = await client.GetAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var body = text.Length > 0 && text[0] is '{' or '[' ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return ((int)response.StatusCode, body, response);
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var cmd = Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql.Replace("{schema}", Schema, StringComparison.Ordinal));
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Brings every async projection up to the feed's head (the Host's own runners may hold the leases).</summary>
    public Task CaughtUpAsync() =>
        Services.GetRequiredService<ProjectionCatalog>().CatchUpAsync(Services.GetRequiredService<PostgresEventStore>(), TimeSpan.FromSeconds(30));

    /// <summary>
    /// The program itself in a process of its own, as an operator starts it, with <paramref name="environment"/> set;
    /// killed (and the test failed) if it has not exited within <paramref name="limit"/>.
    /// </summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunProgramAsync(
        string[] args, IReadOnlyDictionary<string, string> environment, TimeSpan limit)
    {
        var ct = TestContext.Current.CancellationToken;
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [typeof(OperatorVerbs).Assembly.Location, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        using var program = System.Diagnostics.Process.Start(start)!;
        var stdout = program.StandardOutput.ReadToEndAsync(ct);
        var stderr = program.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limit);
        try
        {
            await program.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            program.Kill(entireProcessTree: true);
            throw new ShouldAssertException($"'{string.Join(' ', args)}' did not exit within {limit.TotalSeconds} s: {await stdout}");
        }
        return (program.ExitCode, await stdout, await stderr);
    }

    public static async Task<(int Code, string Output)> RunVerbAsync(string[] args, TextWriter? output = null)
    {
        var console = new StringWriter();
        var code = await OperatorVerbs.RunAsync(args, AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(console),
        }), output ?? TextWriter.Null);
        return (code, console.ToString());
    }

    public static async Task DropSchemasAsync(string schema)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        var schemas = new List<string>();
        await using (var cmd = dataSource.CreateCommand($"SELECT nspname FROM pg_namespace WHERE nspname LIKE '{schema}%'"))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                schemas.Add(reader.GetString(0));
        }
        foreach (var name in schemas)
        {
            await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {name} CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>The Host without scenario data, for tests that write their own.</summary>
public sealed class EmptyHostFixture : HostFixture
{
    protected override bool WriteScenario => false;
}
