using System.Diagnostics;
using CoManagement.Host.Cli;

namespace CoManagement.Host.Tests;

/// <summary>
/// A verb handled only Ctrl-C: SIGTERM ended the process on the spot and left the seed's spill folder
/// (<c>comanagement-seed-*</c>, 5 GB at 1m) in the temporary directory.
/// </summary>
public sealed class Verbs_on_SIGTERM
{
    [Fact]
    public async Task a_seed_sent_sigterm_cancels_removes_its_temporary_files_and_exits_with_code_3()
    {
        var ct = TestContext.Current.CancellationToken;
        var schema = HostFixture.NewSchema();
        var temp = Directory.CreateTempSubdirectory("verbs-sigterm-");
        try
        {
            var start = new ProcessStartInfo("dotnet", [typeof(OperatorVerbs).Assembly.Location, "seed", "--size", "demo", .. HostFixture.ConfigFor(schema)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                Environment = { ["TMPDIR"] = temp.FullName, ["RABBITMQ_URI"] = "" },
            };
            using var program = Process.Start(start)!;
            var stdout = program.StandardOutput.ReadToEndAsync(ct);
            var stderr = program.StandardError.ReadToEndAsync(ct);
            var waited = Stopwatch.StartNew();
            while (temp.GetDirectories("comanagement-seed-*").Length == 0)
            {
                if (program.HasExited)
                    throw new ShouldAssertException($"the seed ended before it spilled: {await stderr}");
                waited.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(60), "no spill folder appeared");
                await Task.Delay(50, ct);
            }

            using (var kill = Process.Start("kill", ["-TERM", program.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            await program.WaitForExitAsync(timeout.Token);

            var output = await stderr + await stdout;
            program.ExitCode.ShouldBe(OperatorVerbs.Failed, output);
            output.ShouldContain("cancelled");
            temp.GetDirectories("comanagement-seed-*").ShouldBeEmpty();
        }
        finally
        {
            temp.Delete(recursive: true);
            await HostFixture.DropSchemasAsync(schema);
        }
    }
}
