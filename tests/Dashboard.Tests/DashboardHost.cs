using System.Net.Http.Headers;
using System.Text.Json;
using CoManagement.Domain.Common;
using CoManagement.EventStore;
using CoManagement.Host;
using CoManagement.Host.Auth;
using CoManagement.Host.Seeding;
using CoManagement.Projections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace CoManagement.Dashboard.Tests;

/// <summary>
/// The real Host on Kestrel (a free port) over the test PostgreSQL (ES_TEST_POSTGRES) in a fresh schema, loaded with
/// the "tiny" demo data through the command handler, its async projections caught up, and a headless Chromium (the
/// machine's own) to drive the dashboard. Shared by the tests of a class; everything is dropped at the end.
/// </summary>
public sealed class DashboardHost : IAsyncLifetime
{
    private const string SigningKey = "ZGFzaGJvYXJkLXRlc3RzLXNpZ25pbmcta2V5LTAxMjM0NTY3ODk=";

    /// <summary>The whole start (tiny seed, server, projections caught up) is bounded; a loaded machine needs most of it.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private IPlaywright? _playwright;

    public string Schema { get; } = "d_" + Guid.NewGuid().ToString("N")[..14];

    public TokenIssuer Tokens { get; } = new(SigningKey);

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public SeedSummary Seed { get; private set; } = null!;

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("ES_TEST_POSTGRES")
        ?? throw new InvalidOperationException("ES_TEST_POSTGRES is not set: run the tests through ./test.sh, which starts PostgreSQL.");

    /// <summary>The repository's <c>artifacts/screenshots</c> (git-ignored).</summary>
    public static string ScreenshotDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "EventStore.sln")))
                    return Directory.CreateDirectory(Path.Combine(dir.FullName, "artifacts", "screenshots")).FullName;
            }
            return Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
        }
    }

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(Deadline);
        var ct = cts.Token;

        // The browser starts while the data loads.
        var browser = StartBrowserAsync();

        // The data is written first, through the command handler, by core services of its own (the seeder migrates the
        // store and creates the projections' tables); then the Host starts over it and its async projections catch up.
        await using (var core = new ServiceCollection()
            .AddCoManagementCore(new HostSettings { ConnectionString = ConnectionString, Schema = Schema })
            .BuildServiceProvider())
        {
            Seed = await DemoSeeder.SeedAsync(core, "tiny", new Progress<(long Done, long Total)>(), ct);
        }
        Seed.Members.ShouldBeGreaterThan(0);

        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("ConnectionStrings:EventStore", ConnectionString)
            .UseSetting("EventStore:Schema", Schema)
            .UseSetting("Auth:SigningKey", SigningKey));
        factory.UseKestrel(0);
        factory.StartServer();
        Factory = factory;
        var addresses = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));

        await CaughtUpAsync(ct);
        Browser = await browser;
    }

    private async Task<IBrowser> StartBrowserAsync()
    {
        _playwright = await Playwright.CreateAsync();
        return await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync"],
        });
    }

    /// <summary>
    /// Brings every async projection to the feed's head; the Host's own runners then have nothing left to do, so the
    /// figures stay put while a test compares the page with the endpoints.
    /// </summary>
    private Task CaughtUpAsync(CancellationToken ct) =>
        Factory.Services.GetRequiredService<ProjectionCatalog>().CatchUpAsync(Factory.Services.GetRequiredService<PostgresEventStore>(), TimeSpan.FromSeconds(60), ct);

    public string Token(string role, string org, Side side) => Tokens.Issue($"dash-{role}", role, org, side);

    /// <summary>The same endpoint the page reads, with the same token.</summary>
    public async Task<JsonElement> GetJsonAsync(string token, string url)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.IsSuccessStatusCode.ShouldBeTrue($"{url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var cmd = dataSource.CreateCommand(sql.Replace("{schema}", Schema, StringComparison.Ordinal));
        await cmd.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>A page at the laptop size, with every uncaught script error and every console error collected.</summary>
    public async Task<(IPage Page, List<string> Errors)> OpenAsync(string pathAndQuery)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            BaseURL = BaseAddress.ToString(),
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, message) => errors.Add("page error: " + message);
        page.Console += (_, message) =>
        {
            // A refused call (403 for a role) is logged by the browser as a failed resource; that is expected.
            if (message.Type == "error" && !message.Text.Contains("Failed to load resource", StringComparison.Ordinal))
                errors.Add("console: " + message.Text);
        };
        var response = await page.GotoAsync(pathAndQuery);
        response.ShouldNotBeNull();
        response.Status.ShouldBe(200);
        return (page, errors);
    }

    /// <summary>The whole page as <c>{name}.png</c>, and each named section on its own as <c>{name}-{section}.png</c>.</summary>
    public static async Task ScreenshotAsync(IPage page, string name, params string[] sections)
    {
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
        // The sticky top bar would cover the top of a section scrolled into view for its picture.
        await page.EvaluateAsync("() => { document.querySelector('.topbar').style.position = 'static'; }");
        foreach (var section in sections)
        {
            await page.GetByTestId(section + "-section").ScreenshotAsync(new LocatorScreenshotOptions
            {
                Path = Path.Combine(ScreenshotDirectory, $"{name}-{section}.png"),
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
            await Browser.CloseAsync();
        _playwright?.Dispose();
        if (Factory is not null)
            await Factory.DisposeAsync();
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        var schemas = new List<string>();
        await using (var cmd = dataSource.CreateCommand($"SELECT nspname FROM pg_namespace WHERE nspname LIKE '{Schema}%'"))
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
