namespace CoManagement.EventStore.Schema;

/// <summary>
/// The store's tables and functions as versioned scripts. <c>{schema}</c>, <c>{lock_ns}</c> and <c>{announce_base}</c>
/// are replaced per store (see <see cref="StoreNames"/>). A script, once released, is never edited: add a new one.
/// </summary>
internal static class Migrations
{
    public static readonly IReadOnlyList<(int Version, string Name, string Sql)> All =
    [
        (1, "events, streams, commands, seals", V1),
        (2, "append, feed head and feed status functions", V2),
        (3, "projection checkpoints, leases and rebuilds", V3),
        (4, "outbox", V4),
        (5, "store identity", V5),
        (6, "bulk import without catalog writes per call", V6),
        (7, "projection definition versions", V7),
        (8, "bulk import without re-planning or TOAST truncation per call", V8),
        (9, "rejected command ids", V9),
        (10, "append-only history", V10),
        (11, "append refuses a command id rejected before", V11),
        (12, "parked outbox rows", V12),
    ];

    // V2's append() again, with one check more: a command id rejected before is refused (ES412) instead of appended.
    // The rejection is recorded under the same stream lock after checking commands (StoreSql.RecordRejection), so one
    // command id never ends both accepted and rejected, however two copies of it race.
    private const string V11 = """
        CREATE OR REPLACE FUNCTION {schema}.append(
            p_stream text, p_expected bigint, p_command uuid,
            p_types text[], p_schema_versions int[], p_data jsonb[], p_metadata jsonb[], p_business timestamptz[],
            OUT o_from_version bigint, OUT o_to_version bigint, OUT o_positions bigint[],
            OUT o_recorded timestamptz, OUT o_hashes bytea[], OUT o_duplicate boolean, OUT o_stream text)
        LANGUAGE plpgsql AS $$
        DECLARE
            n         int := cardinality(p_types);
            v_hash    bytea;
            v_pos     bigint;
            v_recorded text;
            i         int;
        BEGIN
            o_duplicate := false;
            -- Writers of one stream queue here until the previous one commits; the loser then sees the new version,
            -- so a conflict is detected before any position is taken (losers burn nothing).
            PERFORM pg_advisory_xact_lock({lock_ns}, hashtext(p_stream));

            IF p_command IS NOT NULL THEN
                SELECT c.from_version, c.to_version, c.positions, c.recorded_time, c.stream_id
                  INTO o_from_version, o_to_version, o_positions, o_recorded, o_stream
                  FROM {schema}.commands c WHERE c.command_id = p_command;
                IF FOUND THEN o_duplicate := true; RETURN; END IF;
                -- Rejected before (recorded under this same stream lock): its answer stands, nothing is appended.
                IF EXISTS (SELECT 1 FROM {schema}.rejected_commands r WHERE r.command_id = p_command) THEN
                    RAISE EXCEPTION 'command % was rejected before', p_command USING ERRCODE = 'ES412';
                END IF;
            END IF;
            o_stream := p_stream;

            SELECT e.version, e.hash INTO o_to_version, v_hash
              FROM {schema}.events e WHERE e.stream_id = p_stream ORDER BY e.version DESC LIMIT 1;
            IF NOT FOUND THEN
                IF EXISTS (SELECT 1 FROM {schema}.archived_streams a WHERE a.stream_id = p_stream) THEN
                    RAISE EXCEPTION 'stream % is archived and closed to appends', p_stream USING ERRCODE = 'ES410';
                END IF;
                o_to_version := 0;
                v_hash := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
            END IF;

            IF (p_expected = -2 AND o_to_version <> 0) OR (p_expected = -3 AND o_to_version = 0)
               OR (p_expected >= 0 AND o_to_version <> p_expected) THEN
                RAISE EXCEPTION 'wrong expected version for stream %: expected %, actual %',
                    p_stream,
                    CASE p_expected WHEN -2 THEN 'no stream' WHEN -3 THEN 'stream exists' ELSE p_expected::text END,
                    o_to_version
                    USING ERRCODE = 'ES409', HINT = o_to_version::text;
            END IF;

            o_from_version := o_to_version + 1;
            o_recorded := clock_timestamp();
            o_positions := array_fill(0::bigint, ARRAY[n]);
            o_hashes := array_fill(''::bytea, ARRAY[n]);
            IF n > 0 THEN
                -- Announce a lower bound of the positions this transaction is about to take; the feed head stays
                -- below it until we commit or roll back (see feed_head). Shared: announcers never wait for each other.
                PERFORM pg_advisory_xact_lock_shared({announce_base} | coalesce(pg_sequence_last_value('{schema}.positions'), 0));
                v_recorded := to_char(o_recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
                FOR i IN 1 .. n LOOP
                    v_pos := nextval('{schema}.positions');
                    o_to_version := o_to_version + 1;
                    -- Same canonical bytes as event_hash(), inlined: a SQL function call per event costs more than the hash.
                    v_hash := sha256(v_hash || convert_to(
                        p_stream || E'\n' || o_to_version || E'\n' || v_pos || E'\n' || p_types[i] || E'\n' ||
                        p_schema_versions[i] || E'\n' ||
                        to_char(p_business[i] AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || E'\n' || v_recorded || E'\n' ||
                        p_data[i]::text || E'\n' || p_metadata[i]::text, 'UTF8'));
                    o_positions[i] := v_pos;
                    o_hashes[i] := v_hash;
                END LOOP;
                INSERT INTO {schema}.events
                    (position, stream_id, version, type, schema_version, data, metadata, business_time, recorded_time, hash)
                SELECT u.pos, p_stream, o_from_version - 1 + u.k, u.typ, u.sv, u.dat, u.met, u.bus, o_recorded, u.h
                  FROM unnest(o_positions, p_types, p_schema_versions, p_data, p_metadata, p_business, o_hashes)
                       WITH ORDINALITY AS u(pos, typ, sv, dat, met, bus, h, k);
            END IF;

            IF p_command IS NOT NULL THEN
                INSERT INTO {schema}.commands (command_id, stream_id, from_version, to_version, positions, recorded_time)
                VALUES (p_command, p_stream, o_from_version, o_to_version, o_positions, o_recorded);
            END IF;
        END $$;
        """;

    // An outbox row that cannot be published is parked after a bounded number of attempts, so it no longer holds back
    // the rows after it; the relay's index leaves parked rows out.
    private const string V12 = """
        ALTER TABLE {schema}.outbox ADD COLUMN parked_at timestamptz, ADD COLUMN last_error text;
        DROP INDEX {schema}.outbox_unpublished;
        CREATE INDEX outbox_unpublished ON {schema}.outbox (seq) WHERE published_at IS NULL AND parked_at IS NULL;
        """;

    // Nothing leaves the history silently: an UPDATE, DELETE or TRUNCATE of the events, the archived events, the archive's
    // register or the seals fails, except the archive's own move of a stream out of the hot table (es.archiving set for
    // its transaction). A superuser can still switch triggers off; verify and the seals are there for that.
    private const string V10 = """
        CREATE FUNCTION {schema}.refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'events' AND current_setting('es.archiving', true) = 'on' THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION '% on %.% refused: the event history is append-only', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
                USING ERRCODE = 'ES403';
        END $$;
        CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON {schema}.events
            FOR EACH ROW EXECUTE FUNCTION {schema}.refuse_history_change();
        CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON {schema}.events_archive
            FOR EACH ROW EXECUTE FUNCTION {schema}.refuse_history_change();
        CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON {schema}.archived_streams
            FOR EACH ROW EXECUTE FUNCTION {schema}.refuse_history_change();
        CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON {schema}.seals
            FOR EACH ROW EXECUTE FUNCTION {schema}.refuse_history_change();
        CREATE TRIGGER no_truncate BEFORE TRUNCATE ON {schema}.events
            FOR EACH STATEMENT EXECUTE FUNCTION {schema}.refuse_history_change();
        CREATE TRIGGER no_truncate BEFORE TRUNCATE ON {schema}.events_archive
            FOR EACH STATEMENT EXECUTE FUNCTION {schema}.refuse_history_change();
        CREATE TRIGGER no_truncate BEFORE TRUNCATE ON {schema}.archived_streams
            FOR EACH STATEMENT EXECUTE FUNCTION {schema}.refuse_history_change();
        CREATE TRIGGER no_truncate BEFORE TRUNCATE ON {schema}.seals
            FOR EACH STATEMENT EXECUTE FUNCTION {schema}.refuse_history_change();
        """;

    // Kept for ever, as accepted command ids are: a command sent again gets its first answer, a rejection included.
    private const string V9 = """
        CREATE TABLE {schema}.rejected_commands (
            command_id     uuid        PRIMARY KEY,
            stream_id      text        NOT NULL,
            version        bigint      NOT NULL,
            code           text        NOT NULL,
            message        text        NOT NULL,
            recorded_time  timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        """;

    private const string V1 = """
        CREATE TABLE {schema}.events (
            position        bigint      NOT NULL,
            stream_id       text        NOT NULL,
            version         bigint      NOT NULL,
            type            text        NOT NULL,
            schema_version  int         NOT NULL,
            data            jsonb       NOT NULL,
            metadata        jsonb       NOT NULL,
            business_time   timestamptz NOT NULL,
            recorded_time   timestamptz NOT NULL,
            hash            bytea       NOT NULL,
            CONSTRAINT events_pk PRIMARY KEY (position),
            CONSTRAINT events_stream_version UNIQUE (stream_id, version)
        );

        -- Archived streams live here: same shape, own indexes, out of the hot table.
        CREATE TABLE {schema}.events_archive (LIKE {schema}.events INCLUDING ALL);

        CREATE TABLE {schema}.archived_streams (
            stream_id    text        PRIMARY KEY,
            version      bigint      NOT NULL,
            last_hash    bytea       NOT NULL,
            archived_at  timestamptz NOT NULL DEFAULT clock_timestamp()
        );

        -- CACHE 1: every nextval is visible at once to pg_sequence_last_value, which the feed head relies on.
        CREATE SEQUENCE {schema}.positions AS bigint CACHE 1;

        -- Command ids are kept for ever (no time window): a repeat returns the first result.
        CREATE TABLE {schema}.commands (
            command_id     uuid        PRIMARY KEY,
            stream_id      text        NOT NULL,
            from_version   bigint      NOT NULL,
            to_version     bigint      NOT NULL,
            positions      bigint[]    NOT NULL,
            recorded_time  timestamptz NOT NULL
        );

        CREATE TABLE {schema}.seals (
            seal_no             bigint      PRIMARY KEY,
            from_position       bigint      NOT NULL,
            to_position         bigint      NOT NULL,
            event_count         bigint      NOT NULL,
            events_hash         bytea       NOT NULL,
            previous_seal_hash  bytea       NOT NULL,
            seal_hash           bytea       NOT NULL,
            created_at          timestamptz NOT NULL DEFAULT clock_timestamp()
        );

        -- The canonical bytes of an event, chained to the previous hash of its stream. HashChain.cs computes the same in C#.
        CREATE FUNCTION {schema}.event_hash(
            p_prev bytea, p_stream text, p_version bigint, p_position bigint, p_type text, p_schema_version int,
            p_business timestamptz, p_recorded timestamptz, p_data jsonb, p_metadata jsonb)
        RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT sha256(p_prev || convert_to(
                p_stream || E'\n' || p_version || E'\n' || p_position || E'\n' || p_type || E'\n' || p_schema_version || E'\n' ||
                to_char(p_business AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || E'\n' ||
                to_char(p_recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || E'\n' ||
                p_data::text || E'\n' || p_metadata::text, 'UTF8'))
        $$;
        """;

    // Expected version encoding: -1 any, -2 no stream, -3 stream exists, n >= 0 exactly n events.
    private const string V2 = """
        CREATE FUNCTION {schema}.append(
            p_stream text, p_expected bigint, p_command uuid,
            p_types text[], p_schema_versions int[], p_data jsonb[], p_metadata jsonb[], p_business timestamptz[],
            OUT o_from_version bigint, OUT o_to_version bigint, OUT o_positions bigint[],
            OUT o_recorded timestamptz, OUT o_hashes bytea[], OUT o_duplicate boolean, OUT o_stream text)
        LANGUAGE plpgsql AS $$
        DECLARE
            n         int := cardinality(p_types);
            v_hash    bytea;
            v_pos     bigint;
            v_recorded text;
            i         int;
        BEGIN
            o_duplicate := false;
            -- Writers of one stream queue here until the previous one commits; the loser then sees the new version,
            -- so a conflict is detected before any position is taken (losers burn nothing).
            PERFORM pg_advisory_xact_lock({lock_ns}, hashtext(p_stream));

            IF p_command IS NOT NULL THEN
                SELECT c.from_version, c.to_version, c.positions, c.recorded_time, c.stream_id
                  INTO o_from_version, o_to_version, o_positions, o_recorded, o_stream
                  FROM {schema}.commands c WHERE c.command_id = p_command;
                IF FOUND THEN o_duplicate := true; RETURN; END IF;
            END IF;
            o_stream := p_stream;

            SELECT e.version, e.hash INTO o_to_version, v_hash
              FROM {schema}.events e WHERE e.stream_id = p_stream ORDER BY e.version DESC LIMIT 1;
            IF NOT FOUND THEN
                IF EXISTS (SELECT 1 FROM {schema}.archived_streams a WHERE a.stream_id = p_stream) THEN
                    RAISE EXCEPTION 'stream % is archived and closed to appends', p_stream USING ERRCODE = 'ES410';
                END IF;
                o_to_version := 0;
                v_hash := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
            END IF;

            IF (p_expected = -2 AND o_to_version <> 0) OR (p_expected = -3 AND o_to_version = 0)
               OR (p_expected >= 0 AND o_to_version <> p_expected) THEN
                RAISE EXCEPTION 'wrong expected version for stream %: expected %, actual %',
                    p_stream,
                    CASE p_expected WHEN -2 THEN 'no stream' WHEN -3 THEN 'stream exists' ELSE p_expected::text END,
                    o_to_version
                    USING ERRCODE = 'ES409', HINT = o_to_version::text;
            END IF;

            o_from_version := o_to_version + 1;
            o_recorded := clock_timestamp();
            o_positions := array_fill(0::bigint, ARRAY[n]);
            o_hashes := array_fill(''::bytea, ARRAY[n]);
            IF n > 0 THEN
                -- Announce a lower bound of the positions this transaction is about to take; the feed head stays
                -- below it until we commit or roll back (see feed_head). Shared: announcers never wait for each other.
                PERFORM pg_advisory_xact_lock_shared({announce_base} | coalesce(pg_sequence_last_value('{schema}.positions'), 0));
                v_recorded := to_char(o_recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
                FOR i IN 1 .. n LOOP
                    v_pos := nextval('{schema}.positions');
                    o_to_version := o_to_version + 1;
                    -- Same canonical bytes as event_hash(), inlined: a SQL function call per event costs more than the hash.
                    v_hash := sha256(v_hash || convert_to(
                        p_stream || E'\n' || o_to_version || E'\n' || v_pos || E'\n' || p_types[i] || E'\n' ||
                        p_schema_versions[i] || E'\n' ||
                        to_char(p_business[i] AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || E'\n' || v_recorded || E'\n' ||
                        p_data[i]::text || E'\n' || p_metadata[i]::text, 'UTF8'));
                    o_positions[i] := v_pos;
                    o_hashes[i] := v_hash;
                END LOOP;
                INSERT INTO {schema}.events
                    (position, stream_id, version, type, schema_version, data, metadata, business_time, recorded_time, hash)
                SELECT u.pos, p_stream, o_from_version - 1 + u.k, u.typ, u.sv, u.dat, u.met, u.bus, o_recorded, u.h
                  FROM unnest(o_positions, p_types, p_schema_versions, p_data, p_metadata, p_business, o_hashes)
                       WITH ORDINALITY AS u(pos, typ, sv, dat, met, bus, h, k);
            END IF;

            IF p_command IS NOT NULL THEN
                INSERT INTO {schema}.commands (command_id, stream_id, from_version, to_version, positions, recorded_time)
                VALUES (p_command, p_stream, o_from_version, o_to_version, o_positions, o_recorded);
            END IF;
        END $$;

        -- Running hash chain as a window aggregate: the first row of a stream comes in already chained to the stream's
        -- previous hash (a strict transition with no initial state takes the first input as the state).
        CREATE FUNCTION {schema}.chain_step(state bytea, canonical bytea) RETURNS bytea
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT sha256(state || canonical)';
        CREATE AGGREGATE {schema}.hash_chain(bytea) (SFUNC = {schema}.chain_step, STYPE = bytea);

        -- Bulk import of rows COPYed into pg_temp.es_import, set-based: lock the streams in id order, check every
        -- expected version (nothing is written if one is wrong), announce, take positions, chain and insert.
        CREATE FUNCTION {schema}.import_staged() RETURNS bigint LANGUAGE plpgsql AS $$
        DECLARE
            v_bad record;
            v_count bigint;
            v_recorded timestamptz := clock_timestamp();
        BEGIN
            PERFORM pg_advisory_xact_lock({lock_ns}, hashtext(s.stream_id))
               FROM (SELECT DISTINCT stream_id FROM pg_temp.es_import ORDER BY 1) s;

            CREATE TEMP TABLE IF NOT EXISTS es_import_streams
                (stream_id text PRIMARY KEY, expected bigint, current bigint, prev_hash bytea, archived boolean) ON COMMIT DROP;
            INSERT INTO es_import_streams
            SELECT s.stream_id, s.expected, coalesce(e.version, 0), coalesce(e.hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea),
                   EXISTS (SELECT 1 FROM {schema}.archived_streams a WHERE a.stream_id = s.stream_id)
              FROM (SELECT stream_id, min(expected) AS expected FROM pg_temp.es_import GROUP BY stream_id) s
              LEFT JOIN LATERAL (SELECT x.version, x.hash FROM {schema}.events x WHERE x.stream_id = s.stream_id
                                  ORDER BY x.version DESC LIMIT 1) e ON true;

            SELECT * INTO v_bad FROM es_import_streams
             WHERE archived OR (expected = -2 AND current <> 0) OR (expected = -3 AND current = 0)
                OR (expected >= 0 AND current <> expected)
             ORDER BY stream_id LIMIT 1;
            IF FOUND THEN
                IF v_bad.archived THEN
                    RAISE EXCEPTION 'stream % is archived and closed to appends', v_bad.stream_id USING ERRCODE = 'ES410';
                END IF;
                RAISE EXCEPTION 'wrong expected version for stream %: expected %, actual %', v_bad.stream_id,
                    CASE v_bad.expected WHEN -2 THEN 'no stream' WHEN -3 THEN 'stream exists' ELSE v_bad.expected::text END,
                    v_bad.current USING ERRCODE = 'ES409', HINT = v_bad.stream_id || E'\n' || v_bad.current;
            END IF;

            PERFORM pg_advisory_xact_lock_shared({announce_base} | coalesce(pg_sequence_last_value('{schema}.positions'), 0));
            INSERT INTO {schema}.events
                (position, stream_id, version, type, schema_version, data, metadata, business_time, recorded_time, hash)
            SELECT p.position, p.stream_id, p.version, p.type, p.schema_version, p.data, p.metadata, p.business_time, v_recorded,
                   {schema}.hash_chain(CASE WHEN p.version = p.current + 1 THEN sha256(p.prev_hash || p.canonical) ELSE p.canonical END)
                       OVER (PARTITION BY p.stream_id ORDER BY p.version)
              FROM (SELECT q.*, convert_to(
                        q.stream_id || E'\n' || q.version || E'\n' || q.position || E'\n' || q.type || E'\n' || q.schema_version || E'\n' ||
                        to_char(q.business_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || E'\n' ||
                        to_char(v_recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || E'\n' ||
                        q.data::text || E'\n' || q.metadata::text, 'UTF8') AS canonical
                      FROM (SELECT nextval('{schema}.positions') AS position, o.*
                              FROM (SELECT i.stream_id, st.current + i.seq AS version, i.type, i.schema_version, i.data, i.metadata,
                                           i.business_time, st.current, st.prev_hash
                                      FROM pg_temp.es_import i JOIN es_import_streams st USING (stream_id)
                                     ORDER BY i.stream_id, i.seq) o) q) p;
            GET DIAGNOSTICS v_count = ROW_COUNT;
            TRUNCATE pg_temp.es_import;
            RETURN v_count;
        END $$;

        -- The highest position below which every position is final: committed (visible to any later snapshot) or never
        -- to be used. Order matters: read the sequence first, then the announcements. A writer whose position is <= the
        -- sequence value read here announced before taking it, so it is either still announced (and bounds the head) or
        -- finished, and locks are released only after a commit is visible.
        CREATE FUNCTION {schema}.feed_head(OUT head bigint, OUT last_allocated bigint, OUT lowest_announced bigint)
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            last_allocated := coalesce(pg_sequence_last_value('{schema}.positions'), 0);
            SELECT min(((l.classid::bigint & 65535) << 32) | l.objid::bigint) INTO lowest_announced
              FROM pg_locks l
             WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND (l.classid::bigint >> 16) = ({announce_base} >> 48)
               AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database());
            head := least(last_allocated, lowest_announced);
        END $$;

        -- The head, the newest committed position and, when the head is held back, who holds it.
        CREATE FUNCTION {schema}.feed_status()
        RETURNS TABLE (head bigint, newest_committed bigint, lag_seconds double precision,
                       blocker_pid int, blocker_xid text, blocker_xact_start timestamptz, blocker_state text,
                       blocker_query text, blocker_bound bigint)
        LANGUAGE plpgsql VOLATILE AS $$
        DECLARE
            h bigint;
        BEGIN
            SELECT f.head INTO h FROM {schema}.feed_head() f;
            RETURN QUERY
            WITH newest AS (
                SELECT coalesce((SELECT max(e.position) FROM {schema}.events e), 0) AS pos
            ), first_behind AS (
                SELECT e.recorded_time AS t FROM {schema}.events e WHERE e.position > h ORDER BY e.position LIMIT 1
            ), blockers AS (
                SELECT l.pid, a.backend_xid::text AS xid, a.xact_start, a.state, a.query,
                       ((l.classid::bigint & 65535) << 32) | l.objid::bigint AS bound
                  FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
                 WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND (l.classid::bigint >> 16) = ({announce_base} >> 48)
                   AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
            )
            SELECT h, greatest(n.pos, h),
                   coalesce(extract(epoch FROM clock_timestamp() - fb.t)::double precision, 0),
                   b.pid, b.xid, b.xact_start, b.state, b.query, b.bound
              FROM newest n LEFT JOIN first_behind fb ON true
              LEFT JOIN LATERAL (SELECT * FROM blockers WHERE blockers.bound < n.pos ORDER BY blockers.bound LIMIT 1) b ON true;
        END $$;
        """;

    // One row per async projection: its checkpoint, the lease that makes one runner its only writer, and the fence
    // token that a runner must still hold when it commits a batch. A rebuild keeps its own checkpoint.
    private const string V3 = """
        CREATE TABLE {schema}.projections (
            name               text        PRIMARY KEY,
            position           bigint      NOT NULL DEFAULT 0,
            owner              text,
            fence              bigint      NOT NULL DEFAULT 0,
            lease_expires_at   timestamptz,
            rebuild_position   bigint,
            rebuild_started_at timestamptz,
            updated_at         timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        """;

    // Integration messages written in the append transaction, published after commit by a relay. The message id is
    // derived from the event, so a relay that crashes between publishing and marking re-publishes the same id.
    private const string V4 = """
        CREATE TABLE {schema}.outbox (
            seq             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            message_id      uuid        NOT NULL UNIQUE,
            event_position  bigint      NOT NULL,
            message_type    text        NOT NULL,
            destination     text,
            payload         jsonb       NOT NULL,
            created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
            published_at    timestamptz,
            attempts        int         NOT NULL DEFAULT 0
        );
        CREATE INDEX outbox_unpublished ON {schema}.outbox (seq) WHERE published_at IS NULL;
        """;

    // A random id per store, minted once: outbox message ids mix it in, so two stores (two databases, or two schemas)
    // never publish the same message id for different events on a shared broker.
    private const string V5 = """
        CREATE TABLE {schema}.store_identity (
            id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
            created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
            singleton   boolean     NOT NULL DEFAULT true UNIQUE CHECK (singleton)
        );
        INSERT INTO {schema}.store_identity DEFAULT VALUES;
        """;

    // The bulk import's staging tables live as long as the session and empty themselves at commit (ON COMMIT DELETE
    // ROWS truncates in place), instead of being created and dropped, or truncated to a new file, on every call: each of
    // those wrote the catalog. pg_temp.es_import is created the same way by the client (PostgresEventStore.Bulk.cs).
    private const string V6 = """
        CREATE OR REPLACE FUNCTION {schema}.import_staged() RETURNS bigint LANGUAGE plpgsql AS $$
        DECLARE
            v_bad record;
            v_count bigint;
            v_recorded timestamptz := clock_timestamp();
        BEGIN
            PERFORM pg_advisory_xact_lock({lock_ns}, hashtext(s.stream_id))
               FROM (SELECT DISTINCT stream_id FROM pg_temp.es_import ORDER BY 1) s;

            CREATE TEMP TABLE IF NOT EXISTS es_import_streams
                (stream_id text PRIMARY KEY, expected bigint, current bigint, prev_hash bytea, archived boolean) ON COMMIT DELETE ROWS;
            INSERT INTO es_import_streams
            SELECT s.stream_id, s.expected, coalesce(e.version, 0), coalesce(e.hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea),
                   EXISTS (SELECT 1 FROM {schema}.archived_streams a WHERE a.stream_id = s.stream_id)
              FROM (SELECT stream_id, min(expected) AS expected FROM pg_temp.es_import GROUP BY stream_id) s
              LEFT JOIN LATERAL (SELECT x.version, x.hash FROM {schema}.events x WHERE x.stream_id = s.stream_id
                                  ORDER BY x.version DESC LIMIT 1) e ON true;

            SELECT * INTO v_bad FROM es_import_streams
             WHERE archived OR (expected = -2 AND current <> 0) OR (expected = -3 AND current = 0)
                OR (expected >= 0 AND current <> expected)
             ORDER BY stream_id LIMIT 1;
            IF FOUND THEN
                IF v_bad.archived THEN
                    RAISE EXCEPTION 'stream % is archived and closed to appends', v_bad.stream_id USING ERRCODE = 'ES410';
                END IF;
                RAISE EXCEPTION 'wrong expected version for stream %: expected %, actual %', v_bad.stream_id,
                    CASE v_bad.expected WHEN -2 THEN 'no stream' WHEN -3 THEN 'stream exists' ELSE v_bad.expected::text END,
                    v_bad.current USING ERRCODE = 'ES409', HINT = v_bad.stream_id || E'\n' || v_bad.current;
            END IF;

            PERFORM pg_advisory_xact_lock_shared({announce_base} | coalesce(pg_sequence_last_value('{schema}.positions'), 0));
            INSERT INTO {schema}.events
                (position, stream_id, version, type, schema_version, data, metadata, business_time, recorded_time, hash)
            SELECT p.position, p.stream_id, p.version, p.type, p.schema_version, p.data, p.metadata, p.business_time, v_recorded,
                   {schema}.hash_chain(CASE WHEN p.version = p.current + 1 THEN sha256(p.prev_hash || p.canonical) ELSE p.canonical END)
                       OVER (PARTITION BY p.stream_id ORDER BY p.version)
              FROM (SELECT q.*, convert_to(
                        q.stream_id || E'\n' || q.version || E'\n' || q.position || E'\n' || q.type || E'\n' || q.schema_version || E'\n' ||
                        to_char(q.business_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || E'\n' ||
                        to_char(v_recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || E'\n' ||
                        q.data::text || E'\n' || q.metadata::text, 'UTF8') AS canonical
                      FROM (SELECT nextval('{schema}.positions') AS position, o.*
                              FROM (SELECT i.stream_id, st.current + i.seq AS version, i.type, i.schema_version, i.data, i.metadata,
                                           i.business_time, st.current, st.prev_hash
                                      FROM pg_temp.es_import i JOIN es_import_streams st USING (stream_id)
                                     ORDER BY i.stream_id, i.seq) o) q) p;
            GET DIAGNOSTICS v_count = ROW_COUNT;
            RETURN v_count;
        END $$;
        """;

    // The version of the code that built a projection's live tables (IProjection.Version); NULL for tables built before
    // versions were kept, which counts as 1. A live schema built by an older definition is rebuilt at start-up.
    private const string V7 = """
        ALTER TABLE {schema}.projections ADD COLUMN definition_version int;
        """;

    // The same import without two fixed costs per call, both from ON COMMIT DELETE ROWS truncating the session's staging
    // tables at every commit. It rebuilds a temp table's indexes empty, and an index build invalidates the table's
    // relcache entry, so V6's keyed es_import_streams made every call plan the function's four statements again
    // (log_planner_stats: five planner runs a call, two now); the heads are joined to the staged events by a hash or merge
    // join instead, which measured the same at 200,000 events in 2,000 streams. And a table with a column that can be
    // TOASTed has a TOAST table and its index to truncate too (0.17 ms a commit): the heads' columns are stored plain (a
    // stream id has at most 200 characters, a hash 32 bytes), copied from an empty table in the schema, as PostgreSQL 15's
    // CREATE TABLE cannot set a column's storage. A new name, so a session holding V6's table does not keep it. In pgbench
    // a 100-event import went from 2.4-2.7 to 1.7-1.8 ms. The recorded time's text, the same for every row, is made once.
    private const string V8 = """
        CREATE TABLE {schema}.import_heads_shape (stream_id text, expected bigint, current bigint, prev_hash bytea, archived boolean);
        ALTER TABLE {schema}.import_heads_shape ALTER COLUMN stream_id SET STORAGE PLAIN, ALTER COLUMN prev_hash SET STORAGE PLAIN;
        COMMENT ON TABLE {schema}.import_heads_shape IS
            'Never holds a row: the shape of the per-session table of stream heads of import_staged(), stored plain so that it has no TOAST table to truncate at every commit';

        CREATE OR REPLACE FUNCTION {schema}.import_staged() RETURNS bigint LANGUAGE plpgsql AS $$
        DECLARE
            v_bad record;
            v_count bigint;
            v_recorded timestamptz := clock_timestamp();
            v_recorded_text text := to_char(v_recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
        BEGIN
            PERFORM pg_advisory_xact_lock({lock_ns}, hashtext(s.stream_id))
               FROM (SELECT DISTINCT stream_id FROM pg_temp.es_import ORDER BY 1) s;

            CREATE TEMP TABLE IF NOT EXISTS es_import_heads (LIKE {schema}.import_heads_shape INCLUDING STORAGE) ON COMMIT DELETE ROWS;
            INSERT INTO es_import_heads
            SELECT s.stream_id, s.expected, coalesce(e.version, 0), coalesce(e.hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea),
                   EXISTS (SELECT 1 FROM {schema}.archived_streams a WHERE a.stream_id = s.stream_id)
              FROM (SELECT stream_id, min(expected) AS expected FROM pg_temp.es_import GROUP BY stream_id) s
              LEFT JOIN LATERAL (SELECT x.version, x.hash FROM {schema}.events x WHERE x.stream_id = s.stream_id
                                  ORDER BY x.version DESC LIMIT 1) e ON true;

            SELECT * INTO v_bad FROM es_import_heads
             WHERE archived OR (expected = -2 AND current <> 0) OR (expected = -3 AND current = 0)
                OR (expected >= 0 AND current <> expected)
             ORDER BY stream_id LIMIT 1;
            IF FOUND THEN
                IF v_bad.archived THEN
                    RAISE EXCEPTION 'stream % is archived and closed to appends', v_bad.stream_id USING ERRCODE = 'ES410';
                END IF;
                RAISE EXCEPTION 'wrong expected version for stream %: expected %, actual %', v_bad.stream_id,
                    CASE v_bad.expected WHEN -2 THEN 'no stream' WHEN -3 THEN 'stream exists' ELSE v_bad.expected::text END,
                    v_bad.current USING ERRCODE = 'ES409', HINT = v_bad.stream_id || E'\n' || v_bad.current;
            END IF;

            PERFORM pg_advisory_xact_lock_shared({announce_base} | coalesce(pg_sequence_last_value('{schema}.positions'), 0));
            INSERT INTO {schema}.events
                (position, stream_id, version, type, schema_version, data, metadata, business_time, recorded_time, hash)
            SELECT p.position, p.stream_id, p.version, p.type, p.schema_version, p.data, p.metadata, p.business_time, v_recorded,
                   {schema}.hash_chain(CASE WHEN p.version = p.current + 1 THEN sha256(p.prev_hash || p.canonical) ELSE p.canonical END)
                       OVER (PARTITION BY p.stream_id ORDER BY p.version)
              FROM (SELECT q.*, convert_to(
                        q.stream_id || E'\n' || q.version || E'\n' || q.position || E'\n' || q.type || E'\n' || q.schema_version || E'\n' ||
                        to_char(q.business_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || E'\n' ||
                        v_recorded_text || E'\n' ||
                        q.data::text || E'\n' || q.metadata::text, 'UTF8') AS canonical
                      FROM (SELECT nextval('{schema}.positions') AS position, o.*
                              FROM (SELECT i.stream_id, st.current + i.seq AS version, i.type, i.schema_version, i.data, i.metadata,
                                           i.business_time, st.current, st.prev_hash
                                      FROM pg_temp.es_import i JOIN es_import_heads st USING (stream_id)
                                     ORDER BY i.stream_id, i.seq) o) q) p;
            GET DIAGNOSTICS v_count = ROW_COUNT;
            RETURN v_count;
        END $$;
        """;
}
