using CoManagement.Host;
using CoManagement.Host.Bus;
using CoManagement.Host.Cli;
using CoManagement.Host.Http;

if (!OperatorVerbs.StartsHost(args))
    return await OperatorVerbs.RunAsync(args);

try
{
    var builder = WebApplication.CreateBuilder(args);
    // Its "Hosting failed to start" repeats, stack and all, the failure printed below.
    builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
    var settings = HostSettings.From(builder.Configuration);
    builder.Services.AddCoManagementCore(settings);
    builder.Services.AddTelemetry(builder.Configuration);
    builder.Services.AddBackgroundWork(settings);
    builder.AddBus(settings);
    builder.AddApi(settings);

    var app = builder.Build();
    app.MapApi();
    await app.RunAsync();
    return 0;
}
catch (Exception e)
{
    // A bad setting or a database that never answered: its message, with no stack trace, and exit code 3 (as the
    // verbs' failures), instead of an unhandled exception's abort (134).
    Console.Error.WriteLine(StartupFailure.Describe(e));
    return OperatorVerbs.Failed;
}

/// <summary>Lets WebApplicationFactory find the entry point.</summary>
public partial class Program;
