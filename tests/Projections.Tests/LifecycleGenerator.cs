using CoManagement.Domain.Agreements;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Domain.Organizations;

namespace CoManagement.Projections.Tests;

/// <summary>
/// A seeded run of member lifecycles through the real command handler, on the Pingliang and Meixian trees: steps are
/// chosen from a small model of each member so most commands are valid; rejected ones are part of the run too. Time
/// moves forward a few hours a step, and now and then an event arrives late (dated weeks back). Organisations move,
/// targets are set and consultations held along the way.
/// </summary>
public sealed class LifecycleGenerator(World w, int seed)
{
    private enum Stage { None, Outflowed, Reported, Placed, Transferring, Lost, Suspended, Closed }

    private sealed class Model
    {
        public Stage Stage;
        public string Branch = "";
        public string? Receiver;
    }

    private static readonly string[] OutflowBranches = [Pingliang.BranchA, Pingliang.BranchB, Meixian.Branch];
    private static readonly string[] Destinations = ["620102", "620104", "610104", "610113", "640104", "650102", "440103", "440106", "440300"];
    private static readonly string[] ReportPlaces =
    [
        Pingliang.LanzhouStation, Pingliang.LianhuStation, Pingliang.YantaStation, Pingliang.YinchuanStation, Pingliang.Chengguan,
        Pingliang.XianLianhu, Meixian.Centre1906, Meixian.Jinhua,
    ];
    private static readonly (string Org, string Branch)[] Placements =
        [(Pingliang.Chengguan, Pingliang.ChengguanBranch), (Pingliang.XianLianhu, Pingliang.LianhuBranch), (Meixian.Jinhua, Meixian.JinhuaBranch)];
    private static readonly string[] Receivers = [Pingliang.ChengguanBranch, Pingliang.LianhuBranch, Meixian.JinhuaBranch];

    private readonly Random _random = new(seed);
    private readonly Dictionary<string, Model> _members = [];
    private DateTimeOffset _now = On(2024, 11, 1);
    private int _consultations;

    public int Accepted { get; private set; }

    public int Rejected { get; private set; }

    public static async Task SetUpAsync(World w)
    {
        await Pingliang.OrganisationsAsync(w);
        await Meixian.OrganisationsAsync(w);
        await w.OrgAsync("pl-jc", "泾川县委", Pingliang.City, OrganizationKind.Committee, Side.Outflow, "620821");
        await w.SignAsync(Meixian.AgreementId, Meixian.Department, Meixian.Liwan, 15, On(2024, 10, 1));
        await w.SignAsync("pl-lz", Pingliang.City, Pingliang.Lanzhou, 30, On(2024, 10, 1));
    }

    public async Task RunAsync(int members, int steps, Func<int, Task>? between = null)
    {
        for (var i = 0; i < members; i++)
            _members[$"r{i:D3}"] = new Model();
        for (var step = 0; step < steps; step++)
        {
            _now = _now.AddHours(_random.Next(1, 30));
            // One event in twenty is recorded late: it happened up to 60 days before it reaches the system.
            var at = _random.Next(20) == 0 ? _now.AddDays(-_random.Next(1, 60)) : _now;
            var command = _random.Next(60) == 0 ? OrganisationCommand(at) : MemberCommand(at, out var member, out var next);
            if (command is null)
                continue;
            var result = await w.TryAsync(command);
            if (result.Accepted)
            {
                Accepted++;
                if (command is IMemberCommand c)
                    Advance(c, _members[c.MemberId]);
            }
            else
            {
                Rejected++;
            }
            if (between is not null)
                await between(step);
        }
    }

    private ICommand? MemberCommand(DateTimeOffset at, out string id, out Stage next)
    {
        id = $"r{_random.Next(_members.Count):D3}";
        next = Stage.None;
        var m = _members[id];
        var outflow = OutflowActor(m.Branch);
        var anyone = _random.Next(2) == 0 ? outflow : InflowActor(Pick(Placements).Org);
        var g = Guid.NewGuid();
        switch (m.Stage)
        {
            case Stage.None or Stage.Closed:
                var branch = Pick(OutflowBranches);
                var by = _random.Next(8) == 0 ? InflowActor(Meixian.Jinhua) : OutflowActor(branch);
                return new RegisterOutflow(g, by, _now, id, "成员" + id, IdNumberFor(id), branch, OutflowReason.Work, Pick(Destinations),
                    "somewhere", null, "13900000000", null, at.AddDays(-_random.Next(0, 10)), at);
            case Stage.Transferring:
                return _random.Next(3) == 0
                    ? new RejectTransfer(g, InflowActor(m.Receiver!), _now, id, "not yet", at)
                    : new AcceptTransfer(g, InflowActor(m.Receiver!), _now, id, at);
            case Stage.Lost:
                return _random.Next(4) == 0 ? new SuspendMembership(g, outflow, _now, id, at) : new MarkFound(g, outflow, _now, id, at);
            case Stage.Suspended:
                return _random.Next(2) == 0 ? new RestoreMembership(g, outflow, _now, id, at) : new ConcludeSuspension(g, outflow, _now, id, at);
        }
        return _random.Next(13) switch
        {
            0 or 1 when m.Stage == Stage.Outflowed => new ReportAtInflow(g, InflowActor(Pick(ReportPlaces)), _now, id, Pick(ReportPlaces), ReportChannel.App, at),
            0 or 1 when m.Stage == Stage.Reported => Place(g, id, at),
            0 or 1 => new RequestTransfer(g, outflow, _now, id, Pick(Receivers), at),
            2 or 3 => new LogContact(g, anyone, _now, id, ContactMethod.Phone, null, at),
            4 or 5 => new RecordActivity(g, anyone, _now, id, Pick(Placements).Branch, ActivityKind.ThemePartyDay, AttendanceMode.OnSite, at),
            6 => new RecordCareVisit(g, anyone, _now, id, CareVisitKind.FestivalVisit, null, at),
            7 => new MoveOn(g, outflow, _now, id, Pick(Destinations), "elsewhere", at),
            8 => new RecordReturn(g, outflow, _now, id, true, at),
            9 => new MarkLostContact(g, outflow, _now, id, at),
            10 => new ChangeDetails(g, outflow, _now, id, "13700000000", null, null, at),
            11 => new RecordAppraisal(g, anyone, _now, id, at.Year, AppraisalResult.Qualified, Pick(Placements).Org, at),
            _ => new ReportAtInflow(g, InflowActor(Pick(ReportPlaces)), _now, id, Pick(ReportPlaces), ReportChannel.InPerson, at),
        };
    }

    private PlaceInBranch Place(Guid g, string id, DateTimeOffset at)
    {
        var (org, branch) = Pick(Placements);
        return new PlaceInBranch(g, InflowActor(org), _now, id, org, branch, at);
    }

    private ICommand? OrganisationCommand(DateTimeOffset at)
    {
        var g = Guid.NewGuid();
        return _random.Next(4) switch
        {
            0 => new ReparentOrganization(g, OutflowActor(Pingliang.City), _now, Pingliang.BranchB, _random.Next(2) == 0 ? "pl-jc" : Pingliang.Kongtong, at),
            1 => new SetTarget(g, OutflowActor(Pingliang.City), _now, Pingliang.City, Pick(Enum.GetValues<TargetMetric>()), at.Year,
                _random.Next(0, 101) / 100m, at),
            2 => new HoldConsultation(g, OutflowActor(Meixian.Department), _now, Meixian.AgreementId, $"c{++_consultations}", "会商",
                [new ActionItem($"c{_consultations}-1", "跟进", Side.Inflow, at.AddDays(_random.Next(1, 30)))], at),
            _ => new CompleteActionItem(g, OutflowActor(Meixian.Department), _now, Meixian.AgreementId, $"c{Math.Max(1, _consultations)}-1", at),
        };
    }

    private static void Advance(IMemberCommand c, Model m)
    {
        switch (c)
        {
            case RegisterOutflow r: (m.Stage, m.Branch) = (Stage.Outflowed, r.OutflowOrgId); break;
            case ReportAtInflow: m.Stage = Stage.Reported; break;
            case PlaceInBranch: m.Stage = Stage.Placed; break;
            case MoveOn: m.Stage = Stage.Outflowed; break;
            case RequestTransfer t: (m.Stage, m.Receiver) = (Stage.Transferring, t.ReceivingOrgId); break;
            case RejectTransfer: m.Stage = Stage.Reported; break;
            case AcceptTransfer or RecordReturn or ConcludeSuspension: m.Stage = Stage.Closed; break;
            case MarkLostContact: m.Stage = Stage.Lost; break;
            case MarkFound or RestoreMembership: m.Stage = Stage.Reported; break;
            case SuspendMembership: m.Stage = Stage.Suspended; break;
        }
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];
}
