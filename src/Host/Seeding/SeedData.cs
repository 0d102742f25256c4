using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using CoManagement.Domain.Agreements;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Domain.Organizations;

namespace CoManagement.Host.Seeding;

internal sealed record OrgSpec(string Id, string? Parent, OrganizationKind Kind, Side Side, string Region, string Name, DateOnly? Established, string Source);

internal sealed record TargetSpec(string OrganizationId, TargetMetric Metric, decimal Value, string Source);

internal sealed record AgreementSpec(
    string Id, string Title, string Outflow, string Inflow, IReadOnlyList<string> ExtraParties, IReadOnlyList<Commitment> Commitments,
    int InformationSharingDays, DateTimeOffset SignedAt, string Source, ConsultationSpec? Consultations);

internal sealed record ConsultationSpec(int EveryMonths, IReadOnlyList<string> Topics, IReadOnlyList<ActionItemSpec> ActionItems);

internal sealed record ActionItemSpec(string Text, Side Owner, int DueDays);

/// <summary>A destination: where members report there, who places them in which branch, who receives a transfer.</summary>
internal sealed record PlaceSpec(string Region, string Place, IReadOnlyList<string> ReportAt, IReadOnlyList<PlacementSpec> PlaceIn, IReadOnlyList<string> TransferTo);

internal sealed record PlacementSpec(string By, string Branch, int Weight = 1);

internal sealed record Rates(
    double Report, double Place, double Move, double Transfer, double Accept, double Return, double SecondEpisode,
    double Lost, double Found, double Suspend, double Restore, double FoundByInflow);

internal sealed record Routine(
    int ContactDays, double Contact, double InflowContact, double Activity, double Volunteer, double Online,
    double Festival, double Appraisal, double DetailsChange, IReadOnlyDictionary<CareVisitKind, double> Care);

/// <summary>A stream of members from formal branches (<see cref="From"/>) to destinations, with the article's scale in <see cref="Demo"/>.</summary>
internal sealed record FlowSpec(
    string Id, string Prefix, string Source, int Demo, string? Card, IReadOnlyList<string> From,
    IReadOnlyDictionary<string, int> To, IReadOnlyDictionary<string, int>? MoveTo,
    IReadOnlyDictionary<OutflowReason, int> Reasons, IReadOnlyDictionary<ReportChannel, int> Channels, IReadOnlyList<string> Employers,
    Rates Rates, Routine Routine);

/// <summary>
/// The files under <c>seeds/</c>, loaded and checked: every organisation a flow or agreement names exists and has the
/// kind and side the deciders will ask for, so a typo fails here with a message instead of as thousands of rejections.
/// </summary>
internal sealed class SeedData
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private SeedData(IReadOnlyList<OrgSpec> organisations, IReadOnlyList<TargetSpec> targets, IReadOnlyList<AgreementSpec> agreements,
        IReadOnlyDictionary<string, PlaceSpec> places, IReadOnlyList<FlowSpec> flows)
    {
        Organisations = organisations;
        Targets = targets;
        Agreements = agreements;
        Places = places;
        Flows = flows;
        ById = organisations.ToDictionary(o => o.Id, StringComparer.Ordinal);
    }

    public IReadOnlyList<OrgSpec> Organisations { get; }

    public IReadOnlyDictionary<string, OrgSpec> ById { get; }

    public IReadOnlyList<TargetSpec> Targets { get; }

    public IReadOnlyList<AgreementSpec> Agreements { get; }

    public IReadOnlyDictionary<string, PlaceSpec> Places { get; }

    public IReadOnlyList<FlowSpec> Flows { get; }

    /// <summary>
    /// The seeds folder: <c>COMANAGEMENT_SEEDS</c>, a <c>seeds</c> folder beside the binaries, or the repository's, found
    /// by walking up from the binaries or the working directory (a build from the repository runs without copying).
    /// </summary>
    public static string Locate()
    {
        if (Environment.GetEnvironmentVariable("COMANAGEMENT_SEEDS") is { Length: > 0 } configured)
            return configured;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "seeds");
                if (File.Exists(Path.Combine(candidate, "organisations.csv")))
                    return candidate;
            }
        }
        throw new InvalidOperationException("No seeds folder with organisations.csv found; set COMANAGEMENT_SEEDS to the repository's seeds/ folder.");
    }

    public static SeedData Load(string directory)
    {
        var organisations = Csv(Path.Combine(directory, "organisations.csv")).Select(r => new OrgSpec(
            r["id"], NullIfEmpty(r["parent"]), Enum.Parse<OrganizationKind>(r["kind"]), Enum.Parse<Side>(r["side"]), r["region"], r["name"],
            NullIfEmpty(r["established"]) is { } d ? DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null, r["source"])).ToList();
        foreach (var r in Csv(Path.Combine(directory, "registration-points.csv")))
        {
            var count = int.Parse(r["count"], CultureInfo.InvariantCulture);
            var established = DateOnly.ParseExact(r["established"], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var side = organisations.First(o => o.Id == r["parent"]).Side;
            for (var n = 1; n <= count; n++)
            {
                organisations.Add(new OrgSpec($"{r["parent"]}-rp{n:D2}", r["parent"], OrganizationKind.RegistrationPoint, side, r["region"],
                    r["name"].Replace("{n}", n.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal), established, r["source"]));
            }
        }
        var targets = Csv(Path.Combine(directory, "targets.csv")).Select(r => new TargetSpec(
            r["organisation"], Enum.Parse<TargetMetric>(r["metric"]), decimal.Parse(r["value"], CultureInfo.InvariantCulture), r["source"])).ToList();
        var agreements = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "agreements.json")))!["agreements"].Deserialize<List<AgreementSpec>>(Json)!;

        var flowsFile = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "flows.json")))!.AsObject();
        var defaults = flowsFile["defaults"]!.AsObject();
        var places = flowsFile["places"].Deserialize<Dictionary<string, PlaceSpec>>(Json)!;
        // A flow lists only what differs from the defaults: merge the two JSON objects, then read the result.
        var flows = flowsFile["flows"]!.AsArray().Select(f => Merge(defaults, f!.AsObject()).Deserialize<FlowSpec>(Json)!).ToList();

        var data = new SeedData(organisations, targets, agreements, places, flows);
        return data.Resolved();
    }

    /// <summary>Expands <c>*</c> patterns into organisation ids (in file order) and checks every reference.</summary>
    private SeedData Resolved()
    {
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var o in Organisations)
        {
            if (!seen.Add(o.Id))
                problems.Add($"organisation '{o.Id}' is listed twice");
            if (o.Parent is { } p && !seen.Contains(p))
                problems.Add($"organisation '{o.Id}': parent '{p}' must be listed before it");
            if (!RegionCode.IsValid(o.Region))
                problems.Add($"organisation '{o.Id}': '{o.Region}' is not a region code");
        }

        void Check(string where, string id, Func<OrgSpec, bool> ok, string expected)
        {
            if (!ById.TryGetValue(id, out var org))
                problems.Add($"{where}: no organisation '{id}'");
            else if (!ok(org))
                problems.Add($"{where}: '{id}' is a {org.Side} {org.Kind}, expected {expected}");
        }

        bool IsBranch(OrgSpec o) => OrganizationKinds.Branches.Contains(o.Kind);
        var places = new Dictionary<string, PlaceSpec>(StringComparer.Ordinal);
        foreach (var (key, place) in Places.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var resolved = place with { ReportAt = Expand(place.ReportAt, problems, $"place '{key}'") };
            foreach (var id in resolved.ReportAt)
                Check($"place '{key}' reportAt", id, o => o.Side == Side.Inflow || OrganizationKinds.OutflowOutposts.Contains(o.Kind), "an inflow-side place or an outflow outpost");
            foreach (var p in resolved.PlaceIn)
            {
                Check($"place '{key}' placeIn.by", p.By, o => o.Side == Side.Inflow, "an inflow-side organisation");
                Check($"place '{key}' placeIn.branch", p.Branch, IsBranch, "a branch");
            }
            foreach (var id in resolved.TransferTo)
                Check($"place '{key}' transferTo", id, o => o.Side == Side.Inflow && IsBranch(o), "an inflow-side branch");
            if (!RegionCode.IsValid(place.Region))
                problems.Add($"place '{key}': '{place.Region}' is not a region code");
            places[key] = resolved;
        }

        var flows = new List<FlowSpec>();
        foreach (var flow in Flows)
        {
            var resolved = flow with { From = Expand(flow.From, problems, $"flow '{flow.Id}'") };
            foreach (var id in resolved.From)
                Check($"flow '{flow.Id}' from", id, o => o.Kind == OrganizationKind.Branch && o.Side == Side.Outflow, "an outflow-side branch");
            foreach (var key in flow.To.Keys.Concat(flow.MoveTo?.Keys ?? []))
            {
                if (!places.ContainsKey(key))
                    problems.Add($"flow '{flow.Id}': no place '{key}'");
            }
            flows.Add(resolved);
        }
        if (flows.Select(f => f.Prefix).Distinct(StringComparer.Ordinal).Count() != flows.Count)
            problems.Add("two flows share a member id prefix");

        foreach (var a in Agreements)
        {
            Check($"agreement '{a.Id}' outflow", a.Outflow, o => o.Kind == OrganizationKind.Department && o.Side == Side.Outflow, "an outflow-side department");
            Check($"agreement '{a.Id}' inflow", a.Inflow, o => o.Kind == OrganizationKind.Department && o.Side == Side.Inflow, "an inflow-side department");
            foreach (var id in a.ExtraParties)
                Check($"agreement '{a.Id}' extraParties", id, _ => true, "");
        }
        foreach (var t in Targets)
            Check($"target {t.Metric}", t.OrganizationId, _ => true, "");

        return problems.Count > 0
            ? throw new InvalidOperationException("The seed files do not fit together:\n  " + string.Join("\n  ", problems))
            : new SeedData(Organisations, Targets, Agreements, places, flows);
    }

    /// <summary><c>*</c> stands for any run of characters without a dash, so <c>pl-*-b*</c> means "a branch of a Pingliang county".</summary>
    private IReadOnlyList<string> Expand(IEnumerable<string> patterns, List<string> problems, string where)
    {
        var ids = new List<string>();
        foreach (var pattern in patterns)
        {
            if (!pattern.Contains('*', StringComparison.Ordinal))
            {
                ids.Add(pattern);
                continue;
            }
            var regex = new Regex("^" + Regex.Escape(pattern).Replace("\\*", "[^-]*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant);
            var matches = Organisations.Where(o => regex.IsMatch(o.Id)).Select(o => o.Id).ToList();
            if (matches.Count == 0)
                problems.Add($"{where}: '{pattern}' matches no organisation");
            ids.AddRange(matches);
        }
        return ids.Distinct(StringComparer.Ordinal).ToList();
    }

    private static JsonObject Merge(JsonObject defaults, JsonObject overrides)
    {
        var merged = defaults.DeepClone().AsObject();
        foreach (var (key, value) in overrides)
        {
            merged[key] = merged[key] is JsonObject inner && value is JsonObject over
                ? Merge(inner, over)
                : value?.DeepClone();
        }
        return merged;
    }

    /// <summary>Plain comma-separated files with a header row; the data holds no commas inside fields.</summary>
    private static IEnumerable<Dictionary<string, string>> Csv(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split(',');
        foreach (var (line, index) in lines.Skip(1).Select((l, i) => (l, i + 2)))
        {
            var fields = line.Split(',');
            if (fields.Length != header.Length)
                throw new InvalidOperationException($"{Path.GetFileName(path)} line {index}: {fields.Length} fields, expected {header.Length}");
            yield return header.Zip(fields).ToDictionary(p => p.First, p => p.Second.Trim(), StringComparer.Ordinal);
        }
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
