using CoManagement.Application;
using CoManagement.Domain.Common;
using CoManagement.EventStore;
using CoManagement.Projections;
using CoManagement.Projections.Queries;
using Npgsql;

namespace CoManagement.Host;

/// <summary>The store, the registry and the command handler: what every entry point (bus, HTTP, CLI) shares.</summary>
public static class CoreServices
{
    private const string FeedPool = "feed";

    /// <summary>The key of the data source the read models' queries use (<see cref="QueryDataSource"/>).</summary>
    public const string ReadsPool = "reads";

    public static IServiceCollection AddCoManagementCore(this IServiceCollection services, HostSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
            throw new InvalidOperationException("No database: set ConnectionStrings:EventStore (or run ./run.sh, which starts one).");
        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(DomainSettings.Default);
        services.AddSingleton(_ => PostgresEventStore.CreateDataSource(settings.ConnectionString));
        // Two more pools, named "<application or schema> <pool>" in pg_stat_activity: the feed's readers (the projection
        // runners, EventStoreOptions.FeedDataSource), and the analysts' queries, which plan with their actual values.
        var applicationName = new NpgsqlConnectionStringBuilder(settings.ConnectionString).ApplicationName ?? settings.Schema;
        services.AddKeyedSingleton(FeedPool, (_, _) => PostgresEventStore.CreateDataSource(
            new NpgsqlConnectionStringBuilder(settings.ConnectionString) { ApplicationName = $"{applicationName} {FeedPool}" }.ConnectionString));
        services.AddKeyedSingleton(ReadsPool, (_, _) => QueryDataSource.Create(settings.ConnectionString, $"{applicationName} {ReadsPool}"));
        var registry = DomainRegistry.Create();
        services.AddSingleton(registry);
        // The read models; the inline ones (organisations, roster) are written in the append transaction.
        var catalog = new ProjectionCatalog(settings.Schema, registry, DomainSettings.Default);
        services.AddSingleton(catalog);
        foreach (var listener in catalog.AppendListeners)
            services.AddSingleton(listener);
        services.AddSingleton(sp =>
        {
            var options = new EventStoreOptions { Schema = settings.Schema, FeedDataSource = sp.GetRequiredKeyedService<NpgsqlDataSource>(FeedPool) };
            foreach (var listener in sp.GetServices<IAppendListener>())
                options.AppendListeners.Add(listener);
            return new PostgresEventStore(sp.GetRequiredService<NpgsqlDataSource>(), options);
        });
        services.AddSingleton<OrgFactsReader>();
        services.AddSingleton<CommandHandler>();
        return services;
    }
}
