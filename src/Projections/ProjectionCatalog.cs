using System.Diagnostics;
using CoManagement.Domain.Common;
using CoManagement.EventStore;
using CoManagement.EventStore.Projections;
using CoManagement.Projections.Bilateral;
using CoManagement.Projections.Common;
using CoManagement.Projections.Coverage;
using CoManagement.Projections.Orgs;
using CoManagement.Projections.Roster;

namespace CoManagement.Projections;

/// <summary>The stable names of the read models; each lives in the schema <c>{storeSchema}_{name}</c>.</summary>
public static class ProjectionNames
{
    public const string Orgs = "orgs";
    public const string Roster = "roster";
    public const string Coverage = "coverage";
    public const string Bilateral = "bilateral";
}

/// <summary>
/// Every read model of the service for one store schema. Inline projections (organisations, roster) are written in the
/// append transaction through <see cref="AppendListeners"/>, which must be added to <c>EventStoreOptions.AppendListeners</c>
/// before the store is built; async ones (coverage, bilateral) are handed to a <see cref="ProjectionRunner"/> each.
/// All of them are <see cref="IProjection"/>s, so the runner can rebuild any of them (inline ones with
/// <see cref="ProjectionRunner.RebuildInlineAsync"/>).
/// </summary>
public sealed class ProjectionCatalog
{
    /// <param name="heldRowsPerSession">
    /// The most member rows the roster's or coverage's rebuild session keeps in memory; past it, the session writes
    /// them and lets them go, and reads back what later batches need. A million members fit in the default: rebuilding
    /// all four read models at once held about 2 GB (bench/ProjectionsBench).
    /// </param>
    public ProjectionCatalog(string storeSchema, EventTypeRegistry registry, DomainSettings? settings = null, int heldRowsPerSession = 2_000_000)
    {
        StoreSchema = storeSchema;
        Settings = settings ?? DomainSettings.Default;
        Inline = [new OrgsProjection(registry), new RosterProjection(registry, heldRowsPerSession)];
        Async = [new CoverageProjection(registry, Settings, heldRowsPerSession), new BilateralProjection(registry)];
        // Checked before anything is created: the migrate verb created the store's schemas and then failed on these.
        var longest = All.Select(p => SchemaOf(p.Name) + "_next").MaxBy(n => n.Length)!;
        if (longest.Length > 63)
        {
            throw new ArgumentException($"Schema name '{storeSchema}' is too long: the projections' schemas derived from it (such as " +
                $"'{longest}', {longest.Length} characters) exceed PostgreSQL's 63; use at most {storeSchema.Length - (longest.Length - 63)} characters.",
                nameof(storeSchema));
        }
        AppendListeners = [.. Inline.Select(p => new InlineProjection(p, SchemaOf(p.Name)))];
    }

    public string StoreSchema { get; }

    public DomainSettings Settings { get; }

    /// <summary>Organisations and roster: kept up to date in the append transaction.</summary>
    public IReadOnlyList<IProjection> Inline { get; }

    /// <summary>Coverage figures and bilateral audit view: run by a <see cref="ProjectionRunner"/> each.</summary>
    public IReadOnlyList<IProjection> Async { get; }

    public IEnumerable<IProjection> All => Inline.Concat(Async);

    /// <summary>Add these to <c>EventStoreOptions.AppendListeners</c>: they write the inline projections' live schemas.</summary>
    public IReadOnlyList<IAppendListener> AppendListeners { get; }

    /// <summary>The live schema readers query: <c>{storeSchema}_{name}</c>, the same as <see cref="ProjectionRunner.SchemaFor"/>.</summary>
    public string SchemaOf(string name) => $"{StoreSchema}_{name}";

    public IProjection Get(string name) =>
        All.FirstOrDefault(p => p.Name == name) ?? throw new ArgumentException($"No projection '{name}'.", nameof(name));

    public bool IsInline(string name) => Inline.Any(p => p.Name == name);

    /// <summary>A runner for one projection of this catalog.</summary>
    public ProjectionRunner RunnerFor(PostgresEventStore store, string name, ProjectionRunnerOptions? options = null) =>
        new(store, Get(name), options);

    /// <summary>
    /// Brings every async projection to the feed's current head (see <see cref="ProjectionRunner.CatchUpAsync"/>): after
    /// a bulk load, or before comparing figures with what was just written.
    /// </summary>
    public async Task CatchUpAsync(PostgresEventStore store, TimeSpan maxWait, CancellationToken ct = default)
    {
        var head = await store.RefreshHeadAsync(ct).ConfigureAwait(false);
        foreach (var projection in Async)
            await RunnerFor(store, projection.Name).CatchUpAsync(head, maxWait, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Registers every projection and creates its live schema (idempotent). Call once at start-up before the first
    /// append, so the inline listeners find their tables. Live schemas built by an older definition
    /// (<see cref="IProjection.Version"/>) are rebuilt here, together (<see cref="RebuildAsync"/>), before anything
    /// writes into them; an inline one holds appends off only for its final catch-up. So is an inline projection
    /// whose rebuild was left unfinished (a stopped <c>rebuild</c> verb, or a seed stopped after its bulk import, which
    /// leaves the live tables without the imported members): nothing else would finish it, as no runner runs an inline
    /// projection. <paramref name="log"/> hears about each such rebuild. A projection whose lease another runner keeps
    /// for <paramref name="leaseWait"/> (default a minute) fails the call.
    /// </summary>
    public async Task EnsureCreatedAsync(PostgresEventStore store, CancellationToken ct = default, Action<string>? log = null, TimeSpan? leaseWait = null)
    {
        var stale = new List<string>();
        foreach (var projection in All)
        {
            var runner = new ProjectionRunner(store, projection);
            if (!await runner.EnsureCreatedAsync(ct).ConfigureAwait(false))
            {
                log?.Invoke($"Projection '{projection.Name}' was built by an older definition; rebuilding it as version {projection.Version}");
                stale.Add(projection.Name);
            }
            else if (IsInline(projection.Name) && (await runner.GetStatusAsync(ct).ConfigureAwait(false)).RebuildPosition is { } left)
            {
                log?.Invoke($"Projection '{projection.Name}' has a rebuild left unfinished at position {left}; finishing it");
                stale.Add(projection.Name);
            }
        }
        if (stale.Count == 0)
            return;
        await RebuildAsync(store, stale, takeLease: (runner, token) => WaitForLeaseAsync(runner, leaseWait ?? TimeSpan.FromMinutes(1), token), ct: ct)
            .ConfigureAwait(false);
        log?.Invoke($"Projection{(stale.Count > 1 ? "s" : "")} '{string.Join("', '", stale)}' rebuilt");
    }

    /// <summary>
    /// Rebuilds the named projections blue/green from position 0, reading the feed once for all of them
    /// (<see cref="ProjectionRunner.RebuildTogetherAsync"/>), then finishes them side by side: an async one catches up and swaps
    /// (<see cref="ProjectionRunner.RebuildAsync"/>), an inline one catches up and swaps while appends are held off
    /// (<see cref="ProjectionRunner.RebuildInlineAsync"/>). A rebuild already in progress is resumed from its checkpoint.
    /// The live tables keep serving meanwhile. <paramref name="takeLease"/> takes each runner's lease, or throws; by
    /// default the call fails at once when another runner holds one.
    /// </summary>
    public async Task RebuildAsync(PostgresEventStore store, IReadOnlyCollection<string> names, IProgress<(long Position, long Head)>? progress = null,
        Func<ProjectionRunner, CancellationToken, Task>? takeLease = null, CancellationToken ct = default)
    {
        var rebuilds = names.Distinct().Select(name => (Runner: RunnerFor(store, name), Inline: IsInline(name))).ToList();
        try
        {
            // Every lease first: a rebuild that cannot take one starts nothing.
            foreach (var (runner, _) in rebuilds)
            {
                await runner.EnsureCreatedAsync(ct).ConfigureAwait(false);
                await (takeLease ?? ((r, token) => WaitForLeaseAsync(r, TimeSpan.Zero, token)))(runner, ct).ConfigureAwait(false);
            }
            foreach (var (runner, _) in rebuilds)
            {
                if ((await runner.GetStatusAsync(ct).ConfigureAwait(false)).RebuildPosition is null)
                    await runner.StartRebuildAsync(ct).ConfigureAwait(false);
            }
            await ProjectionRunner.RebuildTogetherAsync([.. rebuilds.Select(r => (r.Runner, FollowLive: !r.Inline))], progress, ct).ConfigureAwait(false);
            // Side by side: each builds its read indexes (seconds at a million rows) and swaps. The inline ones'
            // final catch-ups, which hold appends off, take their turns on the events table's lock.
            await Task.WhenAll(rebuilds.Select(r => r.Inline ? r.Runner.RebuildInlineAsync(progress, ct) : r.Runner.RebuildAsync(progress, ct)))
                .ConfigureAwait(false);
        }
        finally
        {
            foreach (var (runner, _) in rebuilds)
                await runner.ReleaseLeaseAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Takes the runner's lease, waiting up to <paramref name="wait"/> for the runner that holds it (a Host running the
    /// projection, or at start-up one of a previous version) to give it up at its stop, or for it to expire; then fails
    /// naming the holder. <paramref name="waiting"/> hears the holder once, when the wait begins.
    /// </summary>
    public static async Task WaitForLeaseAsync(ProjectionRunner runner, TimeSpan wait, CancellationToken ct, Action<string?>? waiting = null)
    {
        var waited = Stopwatch.StartNew();
        while (!await runner.TryAcquireLeaseAsync(ct).ConfigureAwait(false))
        {
            if (waited.Elapsed >= wait)
            {
                throw new InvalidOperationException(
                    $"Projection '{runner.Name}' must be rebuilt, but '{await HolderAsync(runner, ct).ConfigureAwait(false)}' " +
                    "keeps its lease: stop the runner that holds it (at start-up, the Hosts still running the previous version) and retry.");
            }
            if (waiting is not null)
            {
                waiting(await HolderAsync(runner, ct).ConfigureAwait(false));
                waiting = null;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct).ConfigureAwait(false);
        }
    }

    private static async Task<string?> HolderAsync(ProjectionRunner runner, CancellationToken ct) =>
        (await runner.GetStatusAsync(ct).ConfigureAwait(false)).Owner;
}
