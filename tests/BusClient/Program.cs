using System.Text.Json;
using CoManagement.Contracts;
using MassTransit;

// Another service, as the Bus tests see it: reads "<Contract> <json>" lines from stdin, sends each as a request to
// the command queue over RabbitMQ and prints "<Reply> <json>" (or "Error <message>") per line, in order.
// Usage: RABBITMQ_URI=amqp://user:pass@host:port/ dotnet CoManagement.BusClient.dll [queue]
var uri = Environment.GetEnvironmentVariable("RABBITMQ_URI") is { Length: > 0 } u
    ? new Uri(u)
    : throw new InvalidOperationException("RABBITMQ_URI is not set");
var queue = new Uri($"queue:{(args.Length > 0 ? args[0] : "comanagement-commands")}");

var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(uri));
using var started = new CancellationTokenSource(TimeSpan.FromSeconds(30));
await bus.StartAsync(started.Token);
try
{
    while (Console.ReadLine() is { } line)
    {
        if (line.Length == 0)
            continue;
        try
        {
            var reply = await Requests.SendAsync(bus, queue, line);
            Console.WriteLine($"{reply.GetType().Name} {JsonSerializer.Serialize(reply, reply.GetType(), Requests.Json)}");
        }
        catch (Exception e)
        {
            Console.WriteLine($"Error {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }
}
finally
{
    await bus.StopAsync(CancellationToken.None);
}

internal static class Requests
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task<object> SendAsync(IBus bus, Uri queue, string line)
    {
        var (name, body) = line.IndexOf(' ', StringComparison.Ordinal) is var space and > 0 ? (line[..space], line[(space + 1)..]) : (line, "{}");
        var type = typeof(ICommandMessage).Assembly.GetType($"{typeof(ICommandMessage).Namespace}.{name}")
            ?? throw new ArgumentException($"no contract named '{name}'");
        var message = JsonSerializer.Deserialize(body, type, Json) ?? throw new ArgumentException("no message body");
        // The request client is generic in the message type, which is only known at run time here.
        return (Task<object>)typeof(Requests).GetMethod(nameof(RequestAsync))!.MakeGenericMethod(type).Invoke(null, [bus, queue, message])!;
    }

    public static async Task<object> RequestAsync<T>(IBus bus, Uri queue, T message) where T : class
    {
        var response = await bus.CreateRequestClient<T>(queue, RequestTimeout.After(s: 10))
            .GetResponse<CommandAccepted, CommandRejected>(message).ConfigureAwait(false);
        return response.Message;
    }
}
