using CoManagement.EventStore.Schema;

namespace CoManagement.EventStore;

/// <summary>The statements of one store, rendered once for its schema.</summary>
internal sealed class StoreSql(StoreNames names)
{
    internal const string EventColumns =
        "position, stream_id, version, type, schema_version, data, metadata, business_time, recorded_time, hash";

    public string Append { get; } = names.Render("SELECT * FROM {schema}.append($1, $2, $3, $4, $5, $6, $7, $8)");

    public string FindCommand { get; } = names.Render(
        "SELECT stream_id, from_version, to_version, positions, recorded_time FROM {schema}.commands WHERE command_id = $1");

    /// <summary>
    /// Under the stream's lock (the batch's first statement), so that an append of the same command id is either
    /// committed and seen here — then nothing is stored and nothing comes back — or waits and then finds the rejection.
    /// The first rejection stored wins; a concurrent second one reads it back.
    /// </summary>
    public string RecordRejection { get; } = names.Render("""
        WITH stored AS (
            INSERT INTO {schema}.rejected_commands (command_id, stream_id, version, code, message)
            SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM {schema}.commands c WHERE c.command_id = $1)
            ON CONFLICT (command_id) DO NOTHING
            RETURNING stream_id, version, code, message, recorded_time)
        SELECT * FROM stored
        UNION ALL
        SELECT stream_id, version, code, message, recorded_time FROM {schema}.rejected_commands
         WHERE command_id = $1 AND NOT EXISTS (SELECT 1 FROM stored)
        """);

    public string FindRejection { get; } = names.Render(
        "SELECT stream_id, version, code, message, recorded_time FROM {schema}.rejected_commands WHERE command_id = $1");

    public string FeedHead { get; } = names.Render("SELECT head FROM {schema}.feed_head()");

    public string FeedStatus { get; } = names.Render("SELECT * FROM {schema}.feed_status()");

    /// <summary>A stream's events from the hot table; archived streams are read from their own table only when this is empty.</summary>
    public string ReadStream(string filter) => names.Render($$"""
        SELECT {{EventColumns}} FROM {schema}.events WHERE stream_id = $1 AND version > $2 {{filter}} ORDER BY version
        """);

    public string ReadArchivedStream(string filter) => names.Render($$"""
        SELECT {{EventColumns}} FROM {schema}.events_archive WHERE stream_id = $1 AND version > $2 {{filter}} ORDER BY version
        """);

    // ORDER BY and LIMIT inside each branch: the planner then merges two index range scans and stops after a page,
    // instead of reading every row from `after` to the head and sorting it (quadratic catch-up).
    public string ReadFeed { get; } = names.Render($$"""
        (SELECT {{EventColumns}} FROM {schema}.events WHERE position > $1 AND position <= $2 ORDER BY position LIMIT $3)
        UNION ALL
        (SELECT {{EventColumns}} FROM {schema}.events_archive WHERE position > $1 AND position <= $2 ORDER BY position LIMIT $3)
        ORDER BY position LIMIT $3
        """);

    /// <summary>The feed filtered to streams whose id starts with one of $4: the events of other streams never leave the server.</summary>
    public string ReadFeedOf { get; } = names.Render($$"""
        (SELECT {{EventColumns}} FROM {schema}.events WHERE position > $1 AND position <= $2 AND stream_id ^@ ANY ($4) ORDER BY position LIMIT $3)
        UNION ALL
        (SELECT {{EventColumns}} FROM {schema}.events_archive WHERE position > $1 AND position <= $2 AND stream_id ^@ ANY ($4) ORDER BY position LIMIT $3)
        ORDER BY position LIMIT $3
        """);

    public string StreamVersion { get; } = names.Render("""
        SELECT coalesce((SELECT max(version) FROM {schema}.events WHERE stream_id = $1),
                        (SELECT version FROM {schema}.archived_streams WHERE stream_id = $1), 0)
        """);

    /// <summary><see cref="StreamVersion"/> for each id of $1, in the order given.</summary>
    public string StreamVersions { get; } = names.Render("""
        SELECT coalesce((SELECT max(version) FROM {schema}.events WHERE stream_id = s.id),
                        (SELECT version FROM {schema}.archived_streams WHERE stream_id = s.id), 0)
        FROM unnest($1::text[]) WITH ORDINALITY AS s(id, n) ORDER BY s.n
        """);
}
