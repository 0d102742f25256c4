using CoManagement.EventStore;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CoManagement.Host;

/// <summary>
/// Traces and metrics across bus → handler → store → projections. OpenTelemetry.Extensions.Hosting is not available
/// here, so the SDK is built directly and kept as a singleton: disposing it at shutdown flushes the exporters.
/// The OTLP exporter is used when OTEL_EXPORTER_OTLP_ENDPOINT is set.
/// </summary>
public static class Telemetry
{
    public static readonly string[] Sources = [EventStoreTelemetry.Name, "CoManagement.Application", "CoManagement.Host", "Microsoft.AspNetCore", "Npgsql", "MassTransit"];

    public static readonly string[] Meters = [EventStoreTelemetry.Name, "CoManagement.Host", "Microsoft.AspNetCore.Hosting", "Npgsql", "MassTransit", "System.Runtime"];

    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var sdk = OpenTelemetrySdk.Create(builder =>
        {
            builder.ConfigureResource(r => r.AddService("comanagement-host"))
                .WithTracing(t => t.AddSource(Sources))
                .WithMetrics(m => m.AddMeter(Meters));
            if (otlp)
                builder.UseOtlpExporter();
        });
        // Registered through a factory so the container owns it and disposes (flushes) it at shutdown.
        return services.AddSingleton(_ => sdk);
    }
}
