using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace CoManagement.Host.Tests;

/// <summary>
/// The README's run command, for real: <c>./run.sh</c> on a fresh data folder starts its own PostgreSQL, seeds, serves
/// the dashboard, the API and health with the tokens it prints, and stops everything on a signal.
/// </summary>
public sealed partial class One_command_run
{
    private static string RepositoryRoot =>
        Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));

    [Fact]
    public async Task starts_a_private_database_seeds_serves_the_dashboard_and_api_and_stops_cleanly()
    {
        var ct = TestContext.Current.CancellationToken;
        var state = Path.Combine(RepositoryRoot, ".local", "test-run-" + Guid.NewGuid().ToString("N")[..8]);
        var port = FreePort();
        var start = new ProcessStartInfo("setsid", ["./run.sh"])
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["RUN_STATE"] = state, ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["SEED_SIZE"] = "tiny" },
        };
        start.Environment.Remove("ConnectionStrings__EventStore");
        start.Environment.Remove("RABBITMQ_URI");
        var output = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var run = new Process { StartInfo = start };
        void OnLine(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null)
                return;
            lock (output)
                output.AppendLine(e.Data);
            if (e.Data.Contains("Ctrl-C stops everything", StringComparison.Ordinal))
                ready.TrySetResult();
        }
        run.OutputDataReceived += OnLine;
        run.ErrorDataReceived += OnLine;
        run.Start();
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        try
        {
            try
            {
                await ready.Task.WaitAsync(TimeSpan.FromMinutes(5), ct);
            }
            catch (TimeoutException e)
            {
                // What the script printed is the only clue a CI log gets.
                lock (output)
                    throw new TimeoutException($"./run.sh did not get ready within 5 minutes; it printed:\n{output}", e);
            }
            string text;
            lock (output)
                text = output.ToString();
            text.ShouldContain("seeded");
            var analyst = AnalystToken().Match(text).Groups[1].Value;
            analyst.ShouldNotBeNullOrEmpty(text);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var page = await http.GetAsync(new Uri("/", UriKind.Relative), ct);
            page.StatusCode.ShouldBe(HttpStatusCode.OK, text);
            (await page.Content.ReadAsStringAsync(ct)).ShouldContain("dashboard.js");
            (await http.GetAsync(new Uri("/js/dashboard.js", UriKind.Relative), ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await http.GetAsync(new Uri("/health/ready", UriKind.Relative), ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

            using var roster = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/roster?pageSize=5", UriKind.Relative));
            roster.Headers.Authorization = new AuthenticationHeaderValue("Bearer", analyst);
            var answer = await http.SendAsync(roster, ct);
            answer.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await answer.Content.ReadAsStringAsync(ct)).ShouldContain("\"total\":");
            text.ShouldNotContain("Request starting", customMessage: "the Host reads its appsettings.json: no per-request logs");
        }
        finally
        {
            // The script alone, as its trap sees Ctrl-C (it takes INT and TERM alike; one started in the background
            // ignores INT, so TERM): its clean-up must stop the Host and PostgreSQL by itself.
            await RunAsync("kill", "-TERM", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            try
            {
                await run.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
            }
            finally
            {
                // Whatever the script failed to stop does not outlive the test (the assertions below still fail it).
                await RunAsync("kill", "-KILL", "--", "-" + run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await RunAsync("bash", "-c", $"source scripts/servers.sh && pg_stop '{state}' >/dev/null 2>&1; rm -rf '{state}'");
            }
        }
        string log;
        lock (output)
            log = output.ToString();
        log.ShouldContain("stopping PostgreSQL");
        IsListening(port).ShouldBeFalse("the Host stopped");
        using (var ps = Process.Start(new ProcessStartInfo("pgrep", ["-f", state]) { RedirectStandardOutput = true })!)
        {
            var left = await ps.StandardOutput.ReadToEndAsync(CancellationToken.None);
            await ps.WaitForExitAsync(CancellationToken.None);
            left.Trim().ShouldBeEmpty("no process of this run is left behind");
        }
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { WorkingDirectory = RepositoryRoot, RedirectStandardError = true })!;
        await process.WaitForExitAsync(CancellationToken.None);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"analyst token \(12 h\):\s+(\S+)")]
    private static partial Regex AnalystToken();
}
