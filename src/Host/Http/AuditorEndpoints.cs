using System.ComponentModel;
using System.Globalization;
using System.Security.Claims;
using CoManagement.Application;
using CoManagement.Domain.Members;
using CoManagement.EventStore;
using CoManagement.Host.Auth;
using CoManagement.Projections;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoManagement.Host.Http;

/// <summary>
/// Auditors: a member's full history, its state as of any point, chain verification and the seal export. Every call
/// is written to the <see cref="AuditLog"/> before anything is read, so even a probe for an unknown member is on record.
/// A member's record is scoped as organisation staff's is (<see cref="OrgScope.SeesMemberAsync"/>, judged on the member's
/// state now): one outside the auditor's scope is answered exactly as an unknown member, so its existence does not leak.
/// The store-wide verification and the seals concern the store's integrity, not a member's data: any auditor may ask.
/// </summary>
public static class AuditorEndpoints
{
    public static RouteGroupBuilder MapAuditorEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(Roles.AuditPolicy).WithProblems();
        group.MapGet("/members/{memberId}/history", GetHistory)
            .WithSummary("A member's full history: every event with business and recorded time, actor, organisation, side and hash.");
        group.MapGet("/members/{memberId}/state", GetState)
            .WithSummary("A member's state folded as of a version, a global position, a business time or a recorded time (at most one).");
        group.MapGet("/members/{memberId}/verify", VerifyMember)
            .WithSummary("Recomputes one member stream's hash chain and reports the first broken link.")
            .WithDescription("The chain shows an altered or removed event inside the stream. A stream rewritten whole, or cut after its "
                + "last event, chains to itself: only the seals, which digest every event of a range of positions, show that; "
                + "run /api/audit/verify (the whole store against its seals) or check an export offline with verify-copy.");
        group.MapGet("/verify", VerifyStore)
            .WithSummary("Recomputes every stream's chain and every seal; can take long on a large store.");
        group.MapGet("/seals", ExportSeals)
            .WithSummary("The seals as a JSON download, to keep apart from the database and check an export offline.")
            .Produces<List<Seal>>(contentType: "application/json");
        group.MapGet("/reads", ListReads)
            .WithSummary("The audit log itself: who read which member when, newest first; only reads by users of organisations in the caller's subtree. Itself logged.");
        return group;
    }

    private static async Task<Results<Ok<MemberHistory>, ProblemHttpResult>> GetHistory(
        [Description(Doc.MemberId)] string memberId, ClaimsPrincipal user, HttpContext http, PostgresEventStore store, EventTypeRegistry registry,
        OrgScope scope, AuditLog log, CancellationToken ct)
    {
        if (Api.InvalidId(memberId, nameof(memberId)) is { } bad)
            return bad;
        var caller = Caller.From(user);
        await log.RecordAsync(caller, memberId, "history", null, http, ct);
        var events = await store.ReadStreamAsync(Streams.Member(memberId), ct: ct);
        var state = events.Aggregate(Member.Initial, (s, e) => Member.Evolve(s, (IMemberEvent)registry.Deserialize(e)));
        if (events.Count == 0 || !await InScopeAsync(caller, state, scope, ct))
            return NoMember(memberId);
        var mask = !await scope.SeesUnmaskedAsync(caller, state.FormalOrgId, ct);
        return TypedResults.Ok(new MemberHistory(memberId, events[^1].Version, state.FormalOrgId, mask,
            [.. events.Select(e => MemberViews.ToHistory(e, mask))]));
    }

    private static async Task<Results<Ok<MemberStateView>, ProblemHttpResult>> GetState(
        [Description(Doc.MemberId)] string memberId,
        [Description("The state after the member's first n events.")] long? version,
        [Description("The state a reader of the global feed saw at this position: the member's events at or before it.")] long? position,
        [Description("What had happened by this instant (ISO 8601), by the events' business times, including events recorded later.")] DateTimeOffset? businessTime,
        [Description("What the store held at this instant (ISO 8601): the events recorded at or before it.")] DateTimeOffset? recordedTime,
        ClaimsPrincipal user, HttpContext http, PostgresEventStore store, EventTypeRegistry registry, OrgScope scope,
        AuditLog log, CancellationToken ct)
    {
        if (Api.InvalidId(memberId, nameof(memberId)) is { } bad)
            return bad;
        if (version < 0 || position < 0)
            return Api.BadRequest("version and position must not be negative");
        var given = new (string Name, AsOf? Point, string? Text)[]
        {
            (nameof(version), version is { } v ? new AsOf.Version(v) : null, version?.ToString(CultureInfo.InvariantCulture)),
            (nameof(position), position is { } p ? new AsOf.Position(p) : null, position?.ToString(CultureInfo.InvariantCulture)),
            (nameof(businessTime), businessTime is { } b ? new AsOf.BusinessTime(b) : null, businessTime?.ToString("O", CultureInfo.InvariantCulture)),
            (nameof(recordedTime), recordedTime is { } r ? new AsOf.RecordedTime(r) : null, recordedTime?.ToString("O", CultureInfo.InvariantCulture)),
        }.Where(g => g.Point is not null).ToList();
        if (given.Count > 1)
            return Api.BadRequest($"give at most one of version, position, businessTime, recordedTime (got {string.Join(", ", given.Select(g => g.Name))})");
        var asOf = given.SingleOrDefault().Point;
        var asOfView = given.Count == 0 ? null : new AsOfView(given[0].Name, given[0].Text!);

        var caller = Caller.From(user);
        await log.RecordAsync(caller, memberId, "state", asOfView is null ? null : $"{asOfView.Kind}={asOfView.Value}", http, ct);
        var stream = Streams.Member(memberId);
        Func<MemberState, object, MemberState> evolve = (s, e) => Member.Evolve(s, (IMemberEvent)e);
        var (current, currentVersion) = await store.AggregateStreamAsync(stream, registry, Member.Initial, evolve, ct: ct);
        if (currentVersion == 0 || !await InScopeAsync(caller, current, scope, ct))
            return NoMember(memberId);
        var (state, stateVersion) = asOf is null ? (current, currentVersion)
            : await store.AggregateStreamAsync(stream, registry, Member.Initial, evolve, asOf, ct);
        // Masking follows who owns the record now, not who owned it at the point read.
        var mask = !await scope.SeesUnmaskedAsync(caller, current.FormalOrgId, ct);
        return TypedResults.Ok(new MemberStateView(memberId, asOfView, stateVersion, current.FormalOrgId, mask, mask ? MemberViews.Mask(state) : state));
    }

    private static async Task<Results<Ok<VerificationReport>, ProblemHttpResult>> VerifyMember(
        [Description(Doc.MemberId)] string memberId, ClaimsPrincipal user, HttpContext http, PostgresEventStore store, EventTypeRegistry registry,
        OrgScope scope, AuditLog log, CancellationToken ct)
    {
        if (Api.InvalidId(memberId, nameof(memberId)) is { } bad)
            return bad;
        var caller = Caller.From(user);
        await log.RecordAsync(caller, memberId, "verify", null, http, ct);
        var events = await store.ReadStreamAsync(Streams.Member(memberId), ct: ct);
        if (events.Count == 0 || !await InScopeAsync(caller, FoldReadable(events, registry), scope, ct))
            return NoMember(memberId);
        return TypedResults.Ok(ChainVerifier.VerifyStream(events)); // the events the scope was judged on, not read again
    }

    private static async Task<Ok<VerificationReport>> VerifyStore(
        ClaimsPrincipal user, HttpContext http, PostgresEventStore store, AuditLog log, CancellationToken ct)
    {
        await log.RecordAsync(Caller.From(user), null, "verify-store", null, http, ct);
        return TypedResults.Ok(await store.VerifyStoreAsync(ct: ct));
    }

    private static async Task<PushStreamHttpResult> ExportSeals(
        ClaimsPrincipal user, HttpContext http, PostgresEventStore store, AuditLog log, CancellationToken ct)
    {
        await log.RecordAsync(Caller.From(user), null, "export-seals", null, http, ct);
        return TypedResults.Stream(output => store.ExportSealsAsync(output, ct), "application/json",
            $"seals-{store.Schema}-{DateTimeOffset.UtcNow:yyyyMMddTHHmmssZ}.json");
    }

    /// <summary>
    /// Logged like every other audit read. An auditor sees the reads made by users of organisations in its own subtree
    /// (by the organisations' projection): who audits the auditors of a branch is the level above it, and one
    /// organisation's auditors do not learn which members another organisation's looked at.
    /// </summary>
    private static async Task<Results<Ok<IReadOnlyList<AuditRead>>, ProblemHttpResult>> ListReads(
        [Description("Only reads of this member.")] string? memberId, [Description("Only reads by this user.")] string? userId,
        [Description("Only entries with an id below this one: pass the last id of a page to get the next (keyset paging).")] long? before,
        [Description("Entries to return, 1–500 (default 50).")] int? limit, ClaimsPrincipal user, HttpContext http, AuditLog log,
        ProjectionCatalog catalog, CancellationToken ct)
    {
        if (Api.Limit(limit, out var take) is { } bad)
            return bad;
        var caller = Caller.From(user);
        var filters = new[] { (nameof(memberId), memberId), (nameof(userId), userId), (nameof(before), before?.ToString(CultureInfo.InvariantCulture)) }
            .Where(f => f.Item2 is not null).Select(f => $"{f.Item1}={f.Item2}").ToList();
        await log.RecordAsync(caller, null, "reads", filters.Count == 0 ? null : string.Join('&', filters), http, ct);
        return TypedResults.Ok(await log.ListAsync(memberId, userId, before, take,
            new AuditLog.Subtree(catalog.SchemaOf(ProjectionNames.Orgs), caller.OrganizationId), ct));
    }

    private static ProblemHttpResult NoMember(string memberId) => Api.NotFound($"no member '{memberId}'");

    private static Task<bool> InScopeAsync(Caller caller, MemberState state, OrgScope scope, CancellationToken ct) =>
        scope.SeesMemberAsync(caller, state.FormalOrgId, state.Episode?.InflowOrgId, ct);

    /// <summary>
    /// The state from the events that still decode: verification is asked of streams that may have been tampered with,
    /// and the scope is settled by the first events (the registration names the owning organisation).
    /// </summary>
    private static MemberState FoldReadable(IReadOnlyList<RecordedEvent> events, EventTypeRegistry registry)
    {
        var state = Member.Initial;
        foreach (var e in events)
        {
            try
            {
                state = Member.Evolve(state, (IMemberEvent)registry.Deserialize(e));
            }
            catch (Exception x) when (x is System.Text.Json.JsonException or EventStoreException or InvalidOperationException or InvalidCastException)
            {
                break;
            }
        }
        return state;
    }
}
