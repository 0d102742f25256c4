namespace CoManagement.Bench;

/// <summary>A system under test: <c>plain</c> (bare table, prepared statements) or <c>ours</c> (the engine).</summary>
public interface ITarget : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Drops and recreates the system's schema (the caller drops everything first and checkpoints).</summary>
    Task CreateSchemaAsync();

    /// <summary>One client: its own connection for plain, the engine (on its pooled data source) for ours.</summary>
    Task<ISession> OpenSessionAsync();

    /// <summary>SQL returning (table + index bytes, event count) of the system's tables.</summary>
    string SizeSql { get; }
}

public interface ISession : IAsyncDisposable
{
    /// <summary>Appends event <paramref name="v"/> (0-based) to a stream that must hold exactly v events.</summary>
    Task AppendOneAsync(string stream, int v);

    /// <summary>Appends <paramref name="count"/> events to a new stream in one call.</summary>
    Task AppendNewStreamAsync(string stream, int count);

    /// <summary>Reads a whole stream in version order; returns the number of events.</summary>
    Task<int> ReadStreamAsync(string stream);

    /// <summary>Reads up to <paramref name="max"/> events in global order after <paramref name="after"/>.</summary>
    Task<(int Count, long Next)> ReadPageAsync(long after, int max);
}
