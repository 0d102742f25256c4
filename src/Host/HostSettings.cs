namespace CoManagement.Host;

/// <summary>Everything the Host reads from configuration (appsettings, environment, command line).</summary>
public sealed class HostSettings
{
    /// <summary>Npgsql connection string (ConnectionStrings:EventStore or EVENTSTORE__CONNECTIONSTRING).</summary>
    public string ConnectionString { get; set; } = "";

    public string Schema { get; set; } = "event_store";

    /// <summary>amqp:// URI; empty means the in-memory transport.</summary>
    public string? RabbitMqUri { get; set; }

    /// <summary>HMAC key (base64, ≥ 32 bytes) for bearer tokens.</summary>
    public string? SigningKey { get; set; }

    public bool RunProjections { get; set; } = true;

    /// <summary>Migrate the store and create the projections' schemas when the Host starts.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>How often the Host seals the newly final part of the feed.</summary>
    public TimeSpan SealInterval { get; set; } = TimeSpan.FromMinutes(10);

    public bool RunOutboxRelay { get; set; } = true;

    /// <summary>How long start-up retries a database that does not accept connections yet before it gives up.</summary>
    public TimeSpan DatabaseWaitOnStart { get; set; } = TimeSpan.FromSeconds(60);

    public static HostSettings From(IConfiguration configuration)
    {
        var settings = new HostSettings();
        configuration.GetSection("EventStore").Bind(settings);
        settings.ConnectionString = configuration.GetConnectionString("EventStore") ?? settings.ConnectionString;
        settings.RabbitMqUri ??= configuration["RabbitMQ:Uri"] ?? configuration["RABBITMQ_URI"];
        settings.SigningKey ??= configuration["Auth:SigningKey"];
        settings.Validate();
        return settings;
    }

    /// <summary>Refuses settings that would misbehave quietly (a zero interval is a busy loop), naming the setting.</summary>
    public void Validate()
    {
        SettingCheck.Positive(SealInterval, "EventStore:SealInterval");
        SettingCheck.NotNegative(DatabaseWaitOnStart, "EventStore:DatabaseWaitOnStart");
    }
}

/// <summary>The checks settings classes run when they are read, so a bad value stops the start with its name.</summary>
public static class SettingCheck
{
    public static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
            throw Bad(name, value.ToString(), "a positive time span (hh:mm:ss)");
    }

    public static void NotNegative(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero)
            throw Bad(name, value.ToString(), "zero or a positive time span (hh:mm:ss)");
    }

    public static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw Bad(name, value.ToString(System.Globalization.CultureInfo.InvariantCulture), "a positive number");
    }

    public static void Positive(int value, string name)
    {
        if (value <= 0)
            throw Bad(name, value.ToString(System.Globalization.CultureInfo.InvariantCulture), "a positive whole number");
    }

    private static InvalidOperationException Bad(string name, string value, string expected) =>
        new($"Setting {name} is {value}: it must be {expected}.");
}
