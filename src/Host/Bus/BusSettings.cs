namespace CoManagement.Host.Bus;

/// <summary>The "Bus" configuration section. The transport itself is chosen by <see cref="HostSettings.RabbitMqUri"/>.</summary>
public sealed class BusSettings
{
    /// <summary>The queue every command contract is consumed from; replicas of the Host compete on it.</summary>
    public string CommandQueue { get; set; } = "comanagement-commands";

    /// <summary>How long the relay waits when the outbox is empty: the delay between a commit and its message.</summary>
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    public int OutboxBatchSize { get; set; } = 100;

    /// <summary>How many times an outbox row whose payload cannot be read is tried before it is parked (and the outbox health check degrades).</summary>
    public int OutboxMaxAttempts { get; set; } = 10;

    /// <summary>How often the pending outbox is counted for metrics and health.</summary>
    public TimeSpan OutboxMonitorInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A pending message older than this makes the outbox health check report degraded.</summary>
    public TimeSpan OutboxStaleAfter { get; set; } = TimeSpan.FromMinutes(1);

    public static BusSettings From(IConfiguration configuration)
    {
        var settings = new BusSettings();
        configuration.GetSection("Bus").Bind(settings);
        settings.Validate();
        return settings;
    }

    /// <summary>A zero or negative poll interval or batch size made the relay loop without pause.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(CommandQueue))
            throw new InvalidOperationException("Setting Bus:CommandQueue is empty: it must name a queue.");
        SettingCheck.Positive(OutboxPollInterval, "Bus:OutboxPollInterval");
        SettingCheck.Positive(OutboxBatchSize, "Bus:OutboxBatchSize");
        SettingCheck.Positive(OutboxMaxAttempts, "Bus:OutboxMaxAttempts");
        SettingCheck.Positive(OutboxMonitorInterval, "Bus:OutboxMonitorInterval");
        SettingCheck.Positive(OutboxStaleAfter, "Bus:OutboxStaleAfter");
    }
}
