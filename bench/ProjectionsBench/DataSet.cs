using System.Diagnostics;
using CoManagement.Application;
using CoManagement.Domain.Agreements;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Domain.Organizations;
using CoManagement.EventStore;
using CoManagement.Projections.Common;

namespace CoManagement.ProjectionsBench;

/// <summary>
/// A province-sized data set of valid domain events, generated directly (no command handler) and bulk-imported in
/// business-time order, so each member's events are spread over the feed as they would be in production.
/// <para>
/// Outflow side: a province (62) with 14 cities, 7 counties each, 10 townships each, 10 branches each (9,800 branches)
/// and 4 liaison stations per city. Inflow side: 7 destination cities (Lanzhou in the province; Xi'an, Yinchuan,
/// Urumqi, Guangzhou, Shenzhen, Chengdu), each with 10 districts of 10 communities and a branch each. Members
/// register between January 2024 and December 2025; 80% report (30% of them at their city's liaison station), 70% of
/// those are placed; activities, contacts, care visits, moves, returns, transfers and losses follow.
/// </para>
/// </summary>
public sealed class DataSet(EventTypeRegistry registry, int members, int seed = 42)
{
    public static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));
    public static readonly DateTimeOffset End = new(2025, 12, 31, 0, 0, 0, TimeSpan.FromHours(8));
    public const int Cities = 14, Counties = 7, Townships = 10, Branches = 10;
    public const int Destinations = 7, Districts = 10, Communities = 10;

    private static readonly string[] DestinationCities = ["6201", "6101", "6401", "6501", "4401", "4403", "5101"];
    private static readonly double[] DestinationWeights = [0.35, 0.20, 0.10, 0.10, 0.10, 0.08, 0.07];
    private static readonly string[] StationCities = ["6201", "6101", "6401", "6501"];

    private enum Kind : byte { Register, Report, Place, Contact, Activity, Care, Move, Lost, TransferRequest, TransferAccept, Return }

    /// <summary>One generated event, kept compact (a million members make ~6 million of these).</summary>
    private readonly record struct Step(long Ticks, int Member, Kind Kind, short Arg);

    public static string Province => "p62";

    public static string City(int c) => $"p62-c{c:D2}";

    public static string County(int c, int k) => $"{City(c)}-k{k}";

    public static string Branch(int c, int k, int t, int b) => $"{County(c, k)}-t{t}-b{b}";

    public static string Station(int c, int d) => $"{City(c)}-st{d}";

    public static string InflowCity(int d) => $"in-{DestinationCities[d]}";

    public static string Community(int d, int district, int community) => $"{InflowCity(d)}-d{district}-c{community}";

    public static string Agreement(int c, int d) => $"agr-c{c:D2}-d{d}";

    /// <summary>Imports organisations, agreements and then all member events in time order; returns the event count.</summary>
    public async Task<long> ImportAsync(PostgresEventStore store, Action<string> log, CancellationToken ct = default)
    {
        var total = 0L;
        var orgs = Organisations().ToList();
        total += await ImportAsync(store, orgs.Select(o => (Streams.Organization(o.OrganizationId), (IDomainEvent)o, Meta("admin", o.OrganizationId, o.Side))), ct);
        total += await ImportAsync(store, Agreements().Select(a => (Streams.Agreement(a.AgreementId), (IDomainEvent)a, Meta("admin", a.OutflowDepartmentId, Side.Outflow))), ct);
        log($"{orgs.Count:N0} organisations, agreements imported");

        var sw = Stopwatch.StartNew();
        var steps = Generate();
        log($"{steps.Length:N0} member events generated in {sw.Elapsed.TotalSeconds:F1}s");
        sw.Restart();
        const int chunk = 4_000;
        var profiles = new Profile[members];
        static DateOnly MonthOf(long chinaTicks) => Months.Of(new DateTimeOffset(chinaTicks, Months.Offset));
        for (int i = 0, calls = 0; i < steps.Length; calls++)
        {
            // One call's positions follow stream ids, not time: a call never spans two months (China time), so the
            // coverage projection closes a month only after every event dated in it.
            var end = Math.Min(i + chunk, steps.Length);
            for (var j = i + 1; j < end; j++)
            {
                if (MonthOf(steps[j].Ticks) != MonthOf(steps[i].Ticks))
                {
                    end = j;
                    break;
                }
            }
            var slice = steps.AsSpan(i, end - i).ToArray();
            total += await ImportAsync(store, slice.Select(s => Materialise(s, profiles)), ct);
            i = end;
            if (calls % 100 == 0)
                log($"  {i:N0} / {steps.Length:N0} imported ({i / sw.Elapsed.TotalSeconds:N0} events/s)");
        }
        log($"member events imported in {sw.Elapsed.TotalSeconds:F1}s");
        return total;
    }

    private async Task<long> ImportAsync(PostgresEventStore store, IEnumerable<(string Stream, IDomainEvent Event, EventMetadata Meta)> events,
        CancellationToken ct)
    {
        var total = 0L;
        // The import locks every stream it writes: a few thousand streams per call stay well inside the lock table.
        foreach (var part in events.Chunk(4_000))
        {
            var writes = part.GroupBy(e => e.Stream)
                .Select(g => new StreamWrite(g.Key, ExpectedVersion.Any, [.. g.Select(e => registry.ToEventData(e.Event, e.Event.OccurredAt, e.Meta))]))
                .ToList();
            total += await store.BulkImportAsync(writes, ct);
        }
        return total;
    }

    private static EventMetadata Meta(string actor, string org, Side side) => new(null, null, actor, org, side.ToString());

    private IEnumerable<OrganizationCreated> Organisations()
    {
        var at = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));
        yield return new(Province, "省委组织部", null, OrganizationKind.Department, Side.Outflow, RegionCode.Parse("620000"), at);
        for (var c = 0; c < Cities; c++)
        {
            var city = $"62{c + 1:D2}";
            yield return new(City(c), $"市{c}", Province, OrganizationKind.Department, Side.Outflow, RegionCode.Parse(city + "00"), at);
            for (var d = 0; d < StationCities.Length; d++)
                yield return new(Station(c, d), $"市{c}驻{StationCities[d]}联络站", City(c), OrganizationKind.LiaisonStation, Side.Outflow, RegionCode.Parse(StationCities[d] + "00"), at);
            for (var k = 0; k < Counties; k++)
            {
                var region = RegionCode.Parse($"{city}{k + 1:D2}");
                yield return new(County(c, k), $"县{c}-{k}", City(c), OrganizationKind.Committee, Side.Outflow, region, at);
                for (var t = 0; t < Townships; t++)
                {
                    yield return new($"{County(c, k)}-t{t}", $"乡{c}-{k}-{t}", County(c, k), OrganizationKind.Committee, Side.Outflow, region, at);
                    for (var b = 0; b < Branches; b++)
                        yield return new(Branch(c, k, t, b), $"支部{c}-{k}-{t}-{b}", $"{County(c, k)}-t{t}", OrganizationKind.Branch, Side.Outflow, region, at);
                }
            }
        }
        for (var d = 0; d < Destinations; d++)
        {
            yield return new(InflowCity(d), $"流入市{d}", null, OrganizationKind.Department, Side.Inflow, RegionCode.Parse(DestinationCities[d] + "00"), at);
            for (var district = 0; district < Districts; district++)
            {
                var region = RegionCode.Parse($"{DestinationCities[d]}{district + 1:D2}");
                yield return new($"{InflowCity(d)}-d{district}", $"区{d}-{district}", InflowCity(d), OrganizationKind.Department, Side.Inflow, region, at);
                for (var c = 0; c < Communities; c++)
                {
                    yield return new(Community(d, district, c), $"社区{d}-{district}-{c}", $"{InflowCity(d)}-d{district}", OrganizationKind.Committee, Side.Inflow, region, at);
                    yield return new(Community(d, district, c) + "-b", $"社区支部{d}-{district}-{c}", Community(d, district, c), OrganizationKind.Branch, Side.Inflow, region, at);
                }
            }
        }
    }

    /// <summary>Every outflow city with every destination city.</summary>
    private static IEnumerable<AgreementSigned> Agreements()
    {
        for (var c = 0; c < Cities; c++)
        {
            for (var d = 0; d < Destinations; d++)
            {
                yield return new(Agreement(c, d), $"共管协议 {c}-{d}", City(c), InflowCity(d), [],
                    [Commitment.MemberCoManagement, Commitment.JointActivities], 15, new DateTimeOffset(2023, 12, 1, 0, 0, 0, TimeSpan.FromHours(8)));
            }
        }
    }

    /// <summary>Where member i comes from and goes to; derived from its index, so it costs nothing to keep.</summary>
    private readonly record struct Profile(int City, int County, int Township, int Branch, int Destination, int District, int Community, bool AtStation);

    private Profile ProfileOf(int i)
    {
        var r = new Random(seed * 7919 + i);
        var pick = r.NextDouble();
        var d = 0;
        for (var acc = DestinationWeights[0]; pick > acc && d < Destinations - 1; acc += DestinationWeights[++d])
        {
        }
        return new(r.Next(Cities), r.Next(Counties), r.Next(Townships), r.Next(Branches), d, r.Next(Districts), r.Next(Communities),
            d < StationCities.Length && r.Next(10) < 3);
    }

    private Step[] Generate()
    {
        var steps = new List<Step>(members * 7);
        var span = (End - Start).Ticks;
        var day = TimeSpan.TicksPerDay;
        var random = new Random(seed);
        for (var i = 0; i < members; i++)
        {
            var t = Start.Ticks + (long)(random.NextDouble() * span * 0.95);
            var end = t + 330 * day;
            var outcome = random.Next(100);
            // Nothing happens to an episode after it closed or the member was lost.
            var limit = outcome < 14 ? end : long.MaxValue;
            void Add(Kind kind, long at, short arg = 0)
            {
                if (at < End.Ticks && (at < limit || kind is Kind.Return or Kind.Lost or Kind.TransferAccept))
                    steps.Add(new Step(at, i, kind, arg));
            }
            Add(Kind.Register, t);
            var last = t;
            var placed = false;
            if (random.Next(10) < 8)
            {
                last += random.Next(1, 120) * day;
                Add(Kind.Report, last);
                if (random.Next(10) < 7)
                {
                    last += random.Next(1, 20) * day;
                    Add(Kind.Place, last);
                    placed = true;
                }
            }
            for (var n = random.Next(0, 4); n > 0; n--)
                Add(Kind.Contact, t + random.Next(1, 300) * day, (short)random.Next(2));
            if (placed)
            {
                for (var n = random.Next(0, 5); n > 0; n--)
                    Add(Kind.Activity, last + random.Next(1, 300) * day, (short)random.Next(2));
            }
            if (random.Next(10) < 3)
                Add(Kind.Care, t + random.Next(1, 300) * day, (short)random.Next(2));
            switch (outcome)
            {
                case < 5: Add(Kind.Return, end); break;
                case < 8 when placed: Add(Kind.TransferRequest, end - day); Add(Kind.TransferAccept, end + 10 * day); break;
                case < 10: Add(Kind.Lost, end); break;
                case < 14 when !placed: Add(Kind.Move, end, (short)random.Next(Districts)); break;
            }
        }
        var array = steps.ToArray();
        // Same instant: keep each member's own order (register before report …), which the generator wrote.
        Array.Sort(array, (a, b) => a.Ticks != b.Ticks ? a.Ticks.CompareTo(b.Ticks) : a.Member != b.Member ? a.Member.CompareTo(b.Member) : a.Kind.CompareTo(b.Kind));
        return array;
    }

    private (string, IDomainEvent, EventMetadata) Materialise(Step s, Profile[] profiles)
    {
        if (s.Kind == Kind.Register)
            profiles[s.Member] = ProfileOf(s.Member);
        var p = profiles[s.Member];
        var id = $"b{s.Member:D7}";
        var at = new DateTimeOffset(s.Ticks, TimeSpan.FromHours(8));
        var branch = Branch(p.City, p.County, p.Township, p.Branch);
        var community = Community(p.Destination, p.District, p.Community);
        var outflow = Meta("u-" + branch, branch, Side.Outflow);
        var inflow = Meta("u-" + community, community, Side.Inflow);
        var side = s.Arg == 0 ? Side.Outflow : Side.Inflow;
        var destination = RegionCode.Parse($"{DestinationCities[p.Destination]}{p.District + 1:D2}");
        IDomainEvent e = s.Kind switch
        {
            Kind.Register => new OutflowRegistered(id, 1, $"成员{s.Member}", $"62{s.Member:D16}", branch, OutflowReason.Work, destination,
                "某地", null, "13800000000", null, at, at),
            Kind.Report => new ReportedAtInflow(id, 1, p.AtStation ? Station(p.City, p.Destination) : community, ReportChannel.App, at),
            Kind.Place => new PlacedInBranch(id, 1, community, community + "-b", at),
            Kind.Contact => new ContactLogged(id, 1, side, ContactMethod.Phone, null, at),
            Kind.Activity => new ActivityAttended(id, 1, community + "-b", Domain.Members.ActivityKind.ThemePartyDay, AttendanceMode.OnSite, at),
            Kind.Care => new CareVisitRecorded(id, 1, side, CareVisitKind.FestivalVisit, null, at),
            Kind.Move => new MovedOn(id, 1, RegionCode.Parse($"{DestinationCities[p.Destination]}{s.Arg + 1:D2}"), "另一地", at),
            Kind.Lost => new LostContactMarked(id, 1, at),
            Kind.TransferRequest => new TransferRequested(id, 1, community + "-b", at),
            Kind.TransferAccept => new TransferAccepted(id, 1, community + "-b", at),
            _ => new Returned(id, 1, true, at),
        };
        var meta = s.Kind is Kind.Report or Kind.Place or Kind.TransferAccept || (s.Kind is Kind.Contact or Kind.Activity or Kind.Care && side == Side.Inflow)
            ? inflow : outflow;
        return (Streams.Member(id), e, meta);
    }
}
