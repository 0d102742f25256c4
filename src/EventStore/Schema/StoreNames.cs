using System.Text.RegularExpressions;

namespace CoManagement.EventStore.Schema;

/// <summary>The names and lock keys of one store, derived from its schema so several stores can share a database.</summary>
internal sealed partial class StoreNames
{
    public StoreNames(string schema)
    {
        if (!SchemaPattern().IsMatch(schema))
            throw new ArgumentException($"Schema name '{schema}' must be a lower-case SQL identifier (a-z, 0-9, _).", nameof(schema));
        Schema = schema;
        var hash = Fnv1a(schema);
        LockNamespace = (int)(hash & 0x7FFFFFFF);
        // Announcement keys are single bigint advisory keys: 15 bits of store namespace above 48 bits of position.
        AnnounceBase = (long)(hash & 0x7FFF) << 48;
    }

    public string Schema { get; }

    /// <summary>First key of the two-int advisory locks this store takes (per-stream and migration locks).</summary>
    public int LockNamespace { get; }

    public long AnnounceBase { get; }

    public string Render(string sql) => sql
        .Replace("{schema}", Schema, StringComparison.Ordinal)
        .Replace("{lock_ns}", LockNamespace.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{announce_base}", AnnounceBase.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 16777619u;
        }
        return hash;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaPattern();
}
