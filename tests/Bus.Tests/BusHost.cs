using CoManagement.Contracts;
using CoManagement.EventStore;
using CoManagement.Projections;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace CoManagement.Bus.Tests;

/// <summary>
/// The real Host (Program) in-process against PostgreSQL (ES_TEST_POSTGRES) and RabbitMQ (ES_TEST_RABBITMQ), with its
/// own store schema and command queue, so test classes running in parallel never see each other's commands.
/// It can be stopped and started again on the same schema and queue, as after a crash or a deployment.
/// </summary>
public sealed class BusHost : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private WebApplicationFactory<Program>? _factory;

    public static string Postgres => Environment.GetEnvironmentVariable("ES_TEST_POSTGRES") is { Length: > 0 } s ? s
        : throw new InvalidOperationException("ES_TEST_POSTGRES is not set: run ./test.sh, or source .local/dev/env.sh for the dev servers.");

    public static string RabbitMqUri => Environment.GetEnvironmentVariable("ES_TEST_RABBITMQ") is { Length: > 0 } s ? s
        : throw new InvalidOperationException("ES_TEST_RABBITMQ is not set: run ./test.sh, or source .local/dev/env.sh for the dev servers.");

    public NpgsqlDataSource DataSource { get; } = NpgsqlDataSource.Create(Postgres);

    public string Schema { get; } = "bus_" + Guid.NewGuid().ToString("N")[..12];

    public string Queue { get; } = "bus-tests-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The Host's own connection string; the test's <see cref="DataSource"/> always uses <see cref="Postgres"/>.</summary>
    public string ConnectionString { get; init; } = Postgres;

    /// <summary>Whether the first start runs the outbox relay.</summary>
    public bool Relay { get; init; } = true;

    /// <summary>False: the Host's default in-memory transport.</summary>
    public bool RabbitMq { get; init; } = true;

    public IServiceProvider Services => (_factory ?? throw new InvalidOperationException("the host is stopped")).Services;

    public IBus Bus => Services.GetRequiredService<IBus>();

    public PostgresEventStore Store => Services.GetRequiredService<PostgresEventStore>();

    public async ValueTask InitializeAsync()
    {
        Start(Relay);
        // What the operator's "migrate" verb does: the Host does not create its schemas by itself.
        await Store.MigrateAsync();
        await Services.GetRequiredService<ProjectionCatalog>().EnsureCreatedAsync(Store);
    }

    public void Start(bool runRelay)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:EventStore"] = ConnectionString,
            ["EventStore:Schema"] = Schema,
            ["EventStore:RunOutboxRelay"] = runRelay.ToString(),
            ["EventStore:RunProjections"] = "false",
            ["RabbitMQ:Uri"] = RabbitMq ? RabbitMqUri : "",
            ["Bus:CommandQueue"] = Queue,
            ["Bus:OutboxPollInterval"] = "00:00:00.05",
            ["Bus:OutboxMonitorInterval"] = "00:00:00.1",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        _factory = new HostFactory(settings);
        _ = _factory.Services; // starts the host, and with it the bus
    }

    public async Task StopAsync()
    {
        if (_factory is { } factory)
        {
            _factory = null;
            await factory.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await ExecuteAsync("""
            DO $$ DECLARE s text; BEGIN
                FOR s IN SELECT nspname FROM pg_namespace WHERE nspname = '{schema}' OR nspname LIKE '{schema}\_%' LOOP
                    EXECUTE format('DROP SCHEMA %I CASCADE', s);
                END LOOP;
            END $$
            """);
        await DataSource.DisposeAsync();
        if (RabbitMq)
            await Rabbit.DeleteAsync(Queue, Queue + "_error");
    }

    /// <summary>Sends <paramref name="message"/> to the command queue as a request and returns the reply.</summary>
    public async Task<object> SendAsync<T>(T message, Action<SendContext<T>>? configure = null) where T : class
    {
        var client = Bus.CreateRequestClient<T>(new Uri($"queue:{Queue}"), RequestTimeout.After(s: (int)Timeout.TotalSeconds));
        var response = await client.GetResponse<CommandAccepted, CommandRejected>(message, x => x.UseExecute(c => configure?.Invoke(c)));
        return response.Message;
    }

    /// <summary>For messages whose type is known only at run time (lists of mixed commands).</summary>
    public Task<object> SendAsync(ICommandMessage message) =>
        (Task<object>)typeof(BusHost).GetMethods().Single(m => m.Name == nameof(SendAsync) && m.IsGenericMethod)
            .MakeGenericMethod(message.GetType()).Invoke(this, [message, null])!;

    public async Task<CommandAccepted> AcceptedAsync(ICommandMessage message) =>
        await SendAsync(message) switch
        {
            CommandAccepted a => a,
            var other => throw new ShouldAssertException($"{message.GetType().Name} was not accepted: {other}"),
        };

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var cmd = DataSource.CreateCommand(sql.Replace("{schema}", Schema, StringComparison.Ordinal));
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var cmd = DataSource.CreateCommand(sql.Replace("{schema}", Schema, StringComparison.Ordinal));
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (!await condition())
            await Task.Delay(20, cts.Token);
    }

    public Task<long> PendingOutboxAsync() => ScalarAsync<long>("SELECT count(*) FROM {schema}.outbox WHERE published_at IS NULL AND parked_at IS NULL");

    private sealed class HostFactory(Dictionary<string, string?> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (key, value) in settings)
                builder.UseSetting(key, value);
            // A test must not send before the command queue exists and is consumed.
            builder.ConfigureServices(s => s.Configure<MassTransitHostOptions>(o =>
            {
                o.WaitUntilStarted = true;
                o.StartTimeout = TimeSpan.FromSeconds(30);
            }));
        }
    }
}

/// <summary>RabbitMQ itself, through the plain client: what a service written in another language would do.</summary>
public static class Rabbit
{
    public static async Task<IConnection> ConnectAsync() =>
        await new ConnectionFactory { Uri = new Uri(BusHost.RabbitMqUri) }.CreateConnectionAsync();

    /// <summary>Waits for one message on <paramref name="queue"/>, which may not exist yet (MassTransit creates error queues on first use).</summary>
    public static async Task<BasicGetResult> GetAsync(string queue, TimeSpan timeout)
    {
        await using var connection = await ConnectAsync();
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            // A missing queue closes the channel, so each attempt gets a fresh one.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cts.Token);
            try
            {
                if (await channel.BasicGetAsync(queue, autoAck: true, cts.Token) is { } result)
                    return result;
            }
            catch (OperationInterruptedException)
            {
            }
            await Task.Delay(50, cts.Token);
        }
    }

    public static async Task DeleteAsync(params string[] queues)
    {
        await using var connection = await ConnectAsync();
        foreach (var name in queues)
        {
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                await channel.QueueDeleteAsync(name);
                await channel.ExchangeDeleteAsync(name);
            }
            catch (OperationInterruptedException)
            {
            }
        }
    }
}
