using System.Diagnostics;
using System.Globalization;

namespace CoManagement.ProjectionsBench;

/// <summary>
/// CPU seconds spent by this process and by the private PostgreSQL cluster (the postmaster, its live children and the
/// children it has already reaped). On a shared machine wall time mostly measures waiting for a core; CPU time is what
/// the work costs, and with the client and the server taking turns, events ÷ (client + server CPU) is what two idle
/// cores would reach.
/// </summary>
public sealed class CpuMeter(string pgDataDir)
{
    private static readonly double Tick = 100.0; // USER_HZ on Linux

    public (double Client, double Server) Read()
    {
        using var self = Process.GetCurrentProcess();
        return (self.TotalProcessorTime.TotalSeconds, ServerSeconds());
    }

    private double ServerSeconds()
    {
        var pidFile = Path.Combine(pgDataDir, "postmaster.pid");
        if (!File.Exists(pidFile))
            return double.NaN;
        var postmaster = int.Parse(File.ReadLines(pidFile).First(), CultureInfo.InvariantCulture);
        var total = 0.0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            // Fields after the command name (which may contain spaces): state ppid … utime(14) stime(15) cutime(16) cstime(17).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ppid = int.Parse(fields[1], CultureInfo.InvariantCulture);
            double Field(int n) => double.Parse(fields[n - 3], CultureInfo.InvariantCulture) / Tick;
            if (pid == postmaster)
                total += Field(14) + Field(15) + Field(16) + Field(17);
            else if (ppid == postmaster)
                total += Field(14) + Field(15);
        }
        return total;
    }
}
