using CoManagement.Host;
using CoManagement.Host.Bus;
using CoManagement.Host.Cli;
using CoManagement.Host.Http;

if (!OperatorVerbs.StartsHost(args))
    return await OperatorVerbs.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
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

/// <summary>Lets WebApplicationFactory find the entry point.</summary>
public partial class Program;
