using System.ComponentModel;
using System.Security.Claims;
using System.Text.RegularExpressions;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Host.Auth;
using CoManagement.Projections.Common;
using CoManagement.Projections.Queries;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoManagement.Host.Http;

/// <summary>
/// Thin endpoints over the read models. Organisation staff are held to their subtree and side: an organisation they
/// name outside it is refused (403), a member outside it is not found (404, so existence does not leak), and lists
/// are filtered by the query itself. ID and phone numbers are masked unless the caller's organisation owns the member.
/// </summary>
public static partial class AnalystEndpoints
{
    public static IEndpointRouteBuilder MapAnalystEndpoints(this IEndpointRouteBuilder app)
    {
        var figures = app.MapGroup("/api").WithTags("Analysis").RequireAuthorization(Roles.ReadFiguresPolicy).WithProblems();
        figures.MapGet("/roster", GetRoster)
            .WithSummary("Mobile members of an organisation subtree on one side, filtered, sorted and paged; risk flags judged at `at` (default now).");
        figures.MapGet("/roster/{memberId}", GetRosterEntry)
            .WithSummary("One member's roster row.");
        figures.MapGet("/coverage", GetCoverage)
            .WithSummary("Coverage figures (report, coverage, effective coverage, in/out of province, …) of an organisation subtree, now or at a closed month end.");
        figures.MapGet("/coverage/children", GetCoverageChildren)
            .WithSummary("The same figures for each direct child of an organisation.");
        figures.MapGet("/coverage/months", GetClosedMonths)
            .WithSummary("The closed (frozen) months, newest first.");
        figures.MapGet("/risks", GetRiskCounts)
            .WithSummary("How many members of a subtree show each risk flag at `at` (default now).");
        figures.MapGet("/risks/{risk}", GetRiskList)
            .WithSummary("The members of a subtree showing one risk flag, oldest first.");

        app.MapGroup("/api").WithTags("Analysis").RequireAuthorization(Roles.AnalystPolicy).WithProblems()
            .MapGet("/flows", GetFlows)
            .WithSummary("Flow matrix: open episodes by outflow region and inflow region (analysts only: it spans every organisation).");

        var agreements = app.MapGroup("/api/agreements").WithTags("Agreements").RequireAuthorization(Roles.ReadAgreementsPolicy).WithProblems();
        agreements.MapGet("/", ListAgreements)
            .WithSummary("Co-management agreements, newest first and paged; organisation staff and auditors see those their organisation is party to or under.");
        agreements.MapGet("/{agreementId}", GetAgreement)
            .WithSummary("One agreement's bilateral audit view: covered members and each side's actions, report lag, gaps, consultations.");
        return app;
    }

    private static async Task<Results<Ok<Page<RosterEntry>>, ProblemHttpResult>> GetRoster(
        [Description(Doc.ListOrg)] string? org, [Description(Doc.Side)] Side? side,
        [Description("Only members in these statuses; repeat the parameter for several.")] MemberStatus[]? status,
        [Description("Only members whose destination region code starts with this prefix of 2, 4 or 6 digits (\"62\", \"6208\", \"620802\").")] string? region,
        [Description("Only members showing this risk flag at `at`: one of " + Doc.RiskNames + ".")] MemberRisks? risk,
        [Description("Only members whose destination lies (true) or does not lie (false) in their outflow organisation's province.")] bool? inProvince,
        [Description("Sort key (default Name).")] RosterSort? sort, [Description("Sort descending.")] bool? desc,
        [Description(Doc.Page)] int? page, [Description(Doc.PageSize)] int? pageSize, [Description(Doc.At)] DateTimeOffset? at,
        ClaimsPrincipal user, OrgScope scope, RosterQuery roster, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var problem = Api.Paging(page, pageSize, out var pageNo, out var size)
            ?? Defined(side, nameof(side)) ?? Defined(sort, nameof(sort)) ?? SingleRisk(risk) ?? RegionPrefix(region) ?? At(at, clock)
            ?? status?.Select(s => Defined<MemberStatus>(s, nameof(status))).FirstOrDefault(p => p is not null);
        if (problem is not null)
            return problem;
        var (scopeOrg, scopeSide, refused) = await ResolveAsync(caller, org, side, scope, orgRequired: false, ct);
        if (refused is not null)
            return refused;
        var result = await roster.ListAsync(new RosterFilter
        {
            OrgId = scopeOrg, Side = scopeSide, Statuses = status, DestinationPrefix = region, Risk = risk, InProvince = inProvince,
            Sort = sort ?? RosterSort.Name, Descending = desc ?? false, Page = pageNo, PageSize = size, Now = at,
        }, ct);
        return TypedResults.Ok(result with { Items = await MaskAsync(caller, scopeSide, result.Items, scope, ct) });
    }

    private static async Task<Results<Ok<RosterEntry>, ProblemHttpResult>> GetRosterEntry(
        [Description(Doc.MemberId)] string memberId, ClaimsPrincipal user, OrgScope scope, RosterQuery roster, CancellationToken ct)
    {
        if (Api.InvalidId(memberId, nameof(memberId)) is { } bad)
            return bad;
        var caller = Caller.From(user);
        var entry = await roster.FindAsync(memberId, ct: ct);
        if (entry is null || (caller.IsOrgStaff && !await scope.SeesMemberAsync(caller, entry.OutflowOrgId, entry.InflowOrgId, ct)))
            return Api.NotFound($"no member '{memberId}' in your scope");
        return TypedResults.Ok((await MaskAsync(caller, null, [entry], scope, ct))[0]);
    }

    private static async Task<Results<Ok<CoverageFigures>, ProblemHttpResult>> GetCoverage(
        [Description(Doc.FiguresOrg)] string? org, [Description(Doc.Month)] string? month, ClaimsPrincipal user, OrgScope scope, CoverageQuery coverage,
        TimeProvider clock, CancellationToken ct)
    {
        if (Month(month, clock) is { } bad)
            return bad;
        var (scopeOrg, _, refused) = await ResolveAsync(Caller.From(user), org, null, scope, orgRequired: true, ct);
        if (refused is not null)
            return refused;
        return await coverage.GetAsync(scopeOrg!, month, ct) is { } figures
            ? TypedResults.Ok(figures)
            : Api.NotFound($"no figures for '{scopeOrg}'" + (month is null ? "" : $" at the end of {month}"));
    }

    private static async Task<Results<Ok<IReadOnlyList<CoverageFigures>>, ProblemHttpResult>> GetCoverageChildren(
        [Description("The organisation whose direct children are given; " + Doc.FiguresOrgRule)] string? org, [Description(Doc.Month)] string? month, ClaimsPrincipal user, OrgScope scope, CoverageQuery coverage,
        TimeProvider clock, CancellationToken ct)
    {
        if (Month(month, clock) is { } bad)
            return bad;
        var (scopeOrg, _, refused) = await ResolveAsync(Caller.From(user), org, null, scope, orgRequired: true, ct);
        if (refused is not null)
            return refused;
        return TypedResults.Ok(await coverage.GetChildrenAsync(scopeOrg!, month, ct));
    }

    private static async Task<Ok<IReadOnlyList<string>>> GetClosedMonths(CoverageQuery coverage, CancellationToken ct) =>
        TypedResults.Ok(await coverage.ClosedMonthsAsync(ct));

    private static async Task<Results<Ok<RiskCounts>, ProblemHttpResult>> GetRiskCounts(
        [Description(Doc.FiguresOrg)] string? org, [Description(Doc.Side)] Side? side, [Description(Doc.At)] DateTimeOffset? at,
        ClaimsPrincipal user, OrgScope scope, RiskQuery risks, TimeProvider clock, CancellationToken ct)
    {
        if ((Defined(side, nameof(side)) ?? At(at, clock)) is { } bad)
            return bad;
        var (scopeOrg, scopeSide, refused) = await ResolveAsync(Caller.From(user), org, side, scope, orgRequired: true, ct);
        if (refused is not null)
            return refused;
        return TypedResults.Ok(await risks.CountAsync(scopeOrg!, scopeSide, at, ct));
    }

    private static async Task<Results<Ok<Page<RosterEntry>>, ProblemHttpResult>> GetRiskList(
        [Description("The risk flag listed: one of " + Doc.RiskNames + ".")] MemberRisks risk,
        [Description(Doc.FiguresOrg)] string? org, [Description(Doc.Side)] Side? side,
        [Description(Doc.Page)] int? page, [Description(Doc.PageSize)] int? pageSize, [Description(Doc.At)] DateTimeOffset? at,
        ClaimsPrincipal user, OrgScope scope, RiskQuery risks, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(user);
        if ((Api.Paging(page, pageSize, out var pageNo, out var size) ?? SingleRisk(risk) ?? Defined(side, nameof(side)) ?? At(at, clock)) is { } bad)
            return bad;
        var (scopeOrg, scopeSide, refused) = await ResolveAsync(caller, org, side, scope, orgRequired: false, ct);
        if (refused is not null)
            return refused;
        var result = await risks.ListAsync(scopeOrg, risk, scopeSide, pageNo, size, at, ct);
        return TypedResults.Ok(result with { Items = await MaskAsync(caller, scopeSide, result.Items, scope, ct) });
    }

    private static async Task<Results<Ok<FlowMatrix>, ProblemHttpResult>> GetFlows(
        [Description(Doc.Month)] string? month,
        [Description("The region level cells are counted at: Province, City (default) or County.")] RegionLevel? level,
        [Description("Only outflow regions whose code starts with this prefix of 2, 4 or 6 digits (\"4414\": Meizhou).")] string? from,
        [Description("Only inflow regions whose code starts with this prefix of 2, 4 or 6 digits.")] string? to,
        FlowMatrixQuery flows, TimeProvider clock, CancellationToken ct)
    {
        if ((Month(month, clock) ?? Defined(level, nameof(level)) ?? RegionPrefix(from, nameof(from)) ?? RegionPrefix(to, nameof(to))) is { } bad)
            return bad;
        return TypedResults.Ok(await flows.GetAsync(month, level ?? RegionLevel.City, from, to, ct));
    }

    private static async Task<Results<Ok<Page<AgreementSummary>>, ProblemHttpResult>> ListAgreements(
        [Description("Only agreements this organisation is party to or under (staff and auditors: always their own organisation).")] string? org,
        [Description(Doc.Page)] int? page, [Description(Doc.PageSize)] int? pageSize,
        ClaimsPrincipal user, OrgScope scope, AgreementQuery agreements, CancellationToken ct)
    {
        var caller = Caller.From(user);
        if ((Api.Paging(page, pageSize, out var pageNo, out var size) ?? (org is null ? null : Api.InvalidId(org, nameof(org)))) is { } bad)
            return bad;
        if (caller.IsOrgScoped && org is not null && org != caller.OrganizationId)
            return Api.Forbidden("organisation staff and auditors list the agreements of their own organisation only");
        if (!caller.IsOrgScoped && org is not null && !await scope.ExistsAsync(org, ct))
            return Api.NotFound($"no organisation '{org}'");
        return TypedResults.Ok(await agreements.ListAsync(caller.IsOrgScoped ? caller.OrganizationId : org, pageNo, size, ct));
    }

    private static async Task<Results<Ok<AgreementView>, ProblemHttpResult>> GetAgreement(
        [Description("The agreement's id.")] string agreementId,
        [Description("The covered members listed: All (default); NotReportedPastDuty, registered toward the inflow side and not reported "
            + "within the agreement's information-sharing days; FoundByInflow, reported at the inflow side with no outflow registration; "
            + "Reported; NotReported.")] AgreementMemberSet? set,
        [Description(Doc.Page)] int? page, [Description(Doc.PageSize)] int? pageSize,
        ClaimsPrincipal user, HttpContext http, OrgScope scope, AgreementQuery agreements, AuditLog log, CancellationToken ct)
    {
        if ((Api.Paging(page, pageSize, out var pageNo, out var size) ?? Api.InvalidId(agreementId, nameof(agreementId)) ?? Defined(set, nameof(set))) is { } bad)
            return bad;
        var caller = Caller.From(user);
        // An auditor's read is logged first, even one answered "not found", as every auditor read is.
        if (caller.Role == Roles.Auditor)
            await log.RecordAsync(caller, null, "agreement", $"agreementId={agreementId}", http, ct);
        if (caller.IsOrgScoped && !await agreements.IsVisibleToAsync(caller.OrganizationId, agreementId, ct))
            return Api.NotFound($"no agreement '{agreementId}' your organisation is party to");
        if (await agreements.GetAsync(agreementId, set ?? AgreementMemberSet.All, pageNo, size, ct: ct) is not { } view)
            return Api.NotFound($"no agreement '{agreementId}'");
        var members = new List<AgreementMember>(view.Members.Items.Count);
        foreach (var m in view.Members.Items)
        {
            var mask = !await scope.SeesUnmaskedAsync(caller, m.OutflowOrgId, ct);
            members.Add(mask ? m with { IdNumber = Masking.IdNumber(m.IdNumber), Phone = Masking.Phone(m.Phone) } : m);
        }
        return TypedResults.Ok(view with { Members = view.Members with { Items = members } });
    }

    /// <summary>
    /// The organisation subtree and side a list is computed for. Staff default to their own organisation and side, may
    /// narrow to a descendant, and are refused anything wider; others may name any known organisation.
    /// </summary>
    private static async Task<(string? Org, Side Side, ProblemHttpResult? Problem)> ResolveAsync(
        Caller caller, string? org, Side? side, OrgScope scope, bool orgRequired, CancellationToken ct)
    {
        if (org is not null && Api.InvalidId(org, nameof(org)) is { } bad)
            return (null, default, bad);
        if (caller.IsOrgStaff)
        {
            if (side is { } s && s != caller.Side)
                return (null, default, Api.Forbidden($"staff of an {caller.Side} organisation see the {caller.Side} side only"));
            org ??= caller.OrganizationId;
            return await scope.ContainsAsync(caller.OrganizationId, org, ct)
                ? (org, caller.Side, null)
                : (null, default, Api.Forbidden($"'{org}' is outside the subtree of '{caller.OrganizationId}'"));
        }
        if (org is null)
            return orgRequired ? (null, default, Api.BadRequest("org is required")) : (null, side ?? Side.Outflow, null);
        return await scope.ExistsAsync(org, ct)
            ? (org, side ?? Side.Outflow, null)
            : (null, default, Api.NotFound($"no organisation '{org}'"));
    }

    /// <summary>
    /// Outflow staff listing their own subtree on the outflow side own every row (the query filtered on the formal
    /// organisation); anyone else is checked row by row against the owning organisation.
    /// </summary>
    private static async Task<IReadOnlyList<RosterEntry>> MaskAsync(
        Caller caller, Side? listedSide, IReadOnlyList<RosterEntry> rows, OrgScope scope, CancellationToken ct)
    {
        if (caller.IsOrgStaff && caller.Side == Side.Outflow && listedSide == Side.Outflow)
            return rows;
        var result = new List<RosterEntry>(rows.Count);
        foreach (var row in rows)
        {
            result.Add(await scope.SeesUnmaskedAsync(caller, row.OutflowOrgId, ct)
                ? row
                : row with { IdNumber = Masking.IdNumber(row.IdNumber), Phone = Masking.Phone(row.Phone) });
        }
        return result;
    }

    private static ProblemHttpResult? Defined<T>(T? value, string name) where T : struct, Enum =>
        value is { } v && !Enum.IsDefined(v) ? Api.BadRequest($"{name} '{v}' is not one of {string.Join(", ", Enum.GetNames<T>())}") : null;

    private static ProblemHttpResult? SingleRisk(MemberRisks? risk) =>
        risk is { } r && (r == MemberRisks.None || !Enum.IsDefined(r))
            ? Api.BadRequest($"risk must be one of {string.Join(", ", Enum.GetNames<MemberRisks>().Where(n => n != nameof(MemberRisks.None)))}")
            : null;

    /// <summary>How far before the server's now an <c>at</c> may lie and still be taken as now: a client's clock may run behind.</summary>
    private static readonly TimeSpan ClockLeeway = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Risk flags are judged from each member's current roster row, which cannot say what was true at a past instant
    /// (contacts made since would count, members registered since would be listed): only now or later can be answered.
    /// </summary>
    private static ProblemHttpResult? At(DateTimeOffset? at, TimeProvider clock) =>
        at is { } t && t < clock.GetUtcNow() - ClockLeeway
            ? Api.BadRequest($"at {t:O} is in the past: risk flags are judged from each member's current roster row, which cannot tell "
                + "what was true then; give now or a later instant, or ask /api/coverage?month=yyyy-MM for the figures frozen at a past month's end")
            : null;

    private static ProblemHttpResult? RegionPrefix(string? prefix, string name = "region") =>
        prefix is null || RegionPrefixPattern().IsMatch(prefix) ? null
        : Api.BadRequest($"{name} must be a region code prefix of 2, 4 or 6 digits (\"62\", \"6208\", \"620802\"), got '{prefix}'");

    /// <summary>
    /// A month the figures can be asked for: <c>yyyy-MM</c> in ASCII digits (<c>\d</c> would take any script's digits,
    /// which the month parser does not), a year within <see cref="Doc.FirstYear"/>–<see cref="Doc.LastYear"/>, and not after
    /// the open month: the figures of a month that has not begun would be today's, labelled with its name.
    /// </summary>
    private static ProblemHttpResult? Month(string? month, TimeProvider clock)
    {
        if (month is null)
            return null;
        if (!MonthPattern().IsMatch(month) || !Months.TryParse(month, out var asked) || asked.Year is < Doc.FirstYear or > Doc.LastYear)
            return Api.BadRequest($"month must be yyyy-MM, a year from {Doc.FirstYear} to {Doc.LastYear}, got '{month}'");
        var open = Months.Of(clock.GetUtcNow());
        return asked > open
            ? Api.BadRequest($"month {month} has not begun: the open month is {Months.Format(open)}, answered live (omit month)")
            : null;
    }

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"^[0-9]{2}([0-9]{2}){0,2}\z")]
    private static partial Regex RegionPrefixPattern();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}\z")]
    private static partial Regex MonthPattern();
}
