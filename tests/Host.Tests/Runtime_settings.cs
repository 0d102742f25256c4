using System.Text.Json;

namespace CoManagement.Host.Tests;

/// <summary>
/// The runtime the Host starts with (<c>src/Host/HostRuntime.props</c>), read from the runtimeconfig.json that travels
/// beside its assembly: what <c>dotnet CoManagement.Host.dll</c> and <c>./run.sh</c> hand to the runtime.
/// </summary>
public sealed class Runtime_settings
{
    [Fact]
    public void the_host_runs_with_server_gc_and_without_spin_waiting_in_the_thread_pool()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "CoManagement.Host.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        properties.GetProperty("System.GC.Server").GetBoolean().ShouldBeTrue();
        properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32().ShouldBe(0);
    }
}
