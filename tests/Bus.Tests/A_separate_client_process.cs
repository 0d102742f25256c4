using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using CoManagement.Contracts;

namespace CoManagement.Bus.Tests;

/// <summary>Another service in its own process, knowing only the contracts and the broker (tests/BusClient).</summary>
public sealed class A_separate_client_process(BusHost host) : IClassFixture<BusHost>
{
    private static readonly string ClientPath = typeof(A_separate_client_process).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BusClientPath").Value!;

    [Fact]
    public async Task sends_commands_over_rabbitmq_and_gets_each_reply_accepted_with_its_version_or_rejected_with_its_reason()
    {
        var scenario = new Scenario();
        var member = scenario.Member("p");
        Step[] steps = [.. scenario.Organizations.Take(6), .. scenario.TransferredMember(member).Take(4)];

        var replies = await RunClientAsync(steps.Select(s =>
            $"{s.Message.GetType().Name} {JsonSerializer.Serialize(s.Message, s.Message.GetType(), JsonSerializerOptions.Web)}"));

        replies.Count.ShouldBe(steps.Length, string.Join('\n', replies));
        foreach (var (step, line) in steps.Zip(replies))
        {
            var (kind, json) = (line[..line.IndexOf(' ', StringComparison.Ordinal)], line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
            if (step.Rejects is { } reason)
            {
                kind.ShouldBe(nameof(CommandRejected), line);
                JsonSerializer.Deserialize<CommandRejected>(json, JsonSerializerOptions.Web)!.ReasonCode.ShouldBe(reason);
            }
            else
            {
                kind.ShouldBe(nameof(CommandAccepted), line);
            }
        }
        var last = JsonSerializer.Deserialize<CommandAccepted>(replies[^1][(nameof(CommandAccepted).Length + 1)..], JsonSerializerOptions.Web)!;
        (last.StreamId, last.Version).ShouldBe(($"member-{member}", 3L), "registered, reported, placed");
    }

    private async Task<IReadOnlyList<string>> RunClientAsync(IEnumerable<string> lines)
    {
        File.Exists(ClientPath).ShouldBeTrue($"the client is built with the tests: {ClientPath}");
        var start = new ProcessStartInfo("dotnet", [ClientPath, host.Queue])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["RABBITMQ_URI"] = BusHost.RabbitMqUri },
        };
        using var process = Process.Start(start)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            var stderr = process.StandardError.ReadToEndAsync(cts.Token);
            foreach (var line in lines)
                await process.StandardInput.WriteLineAsync(line);
            process.StandardInput.Close();
            var stdout = await process.StandardOutput.ReadToEndAsync(cts.Token);
            await process.WaitForExitAsync(cts.Token);
            process.ExitCode.ShouldBe(0, await stderr);
            return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }
}
