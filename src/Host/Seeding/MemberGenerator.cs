using System.Globalization;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;

namespace CoManagement.Host.Seeding;

/// <summary>
/// One member's commands, in business-time order: outflow registration (or registration by the inflow side that found
/// the member), report, placement, months of contacts, organisational life, care visits and appraisals, and for some a
/// move, a transfer, a return followed by a second episode, or a loss of contact (found again, or suspended and perhaps
/// restored). The generator only chooses sequences the member decider accepts; the seeder holds it to that (through
/// the handler on the command path, through <c>Member.Decide</c> itself on the bulk path).
/// </summary>
internal sealed class MemberGenerator(SeedData data, DateTimeOffset anchor)
{
    /// <summary>About 18 months of history before the anchor.</summary>
    public const int WindowDays = 540;

    private static readonly TimeSpan ChinaTime = TimeSpan.FromHours(8);

    /// <summary>Spring Festival and Mid-Autumn, when festival visits happen.</summary>
    private static readonly DateOnly[] Festivals =
    [
        new(2024, 2, 10), new(2024, 9, 17), new(2025, 1, 29), new(2025, 10, 6), new(2026, 2, 17), new(2026, 9, 25),
        new(2027, 2, 6), new(2027, 9, 15), new(2028, 1, 26), new(2028, 10, 3), new(2029, 2, 13), new(2029, 9, 22),
    ];

    private static readonly Dictionary<ActivityKind, int> ActivityKinds = new()
    {
        [ActivityKind.ThemePartyDay] = 55, [ActivityKind.Study] = 15, [ActivityKind.PartyLecture] = 12,
        [ActivityKind.PartyGroupMeeting] = 10, [ActivityKind.BranchGeneralMeeting] = 8,
    };

    private static readonly Dictionary<ContactMethod, int> ContactMethods = new()
    {
        [ContactMethod.Phone] = 55, [ContactMethod.Message] = 35, [ContactMethod.Visit] = 10,
    };

    private static readonly Dictionary<AppraisalResult, int> AppraisalResults = new()
    {
        [AppraisalResult.Qualified] = 70, [AppraisalResult.Excellent] = 22, [AppraisalResult.BasicallyQualified] = 7, [AppraisalResult.Unqualified] = 1,
    };

    private readonly SeedData _data = data;

    /// <summary>Every command's <c>Now</c>; every business time lies before it.</summary>
    private readonly DateTimeOffset _end = anchor;

    private readonly DateTimeOffset _windowStart = new(anchor.ToOffset(ChinaTime).Date.AddDays(-WindowDays), ChinaTime);

    public static string MemberId(FlowSpec flow, int index) => $"{flow.Prefix}-{index.ToString("D7", CultureInfo.InvariantCulture)}";

    public IReadOnlyList<IMemberCommand> Generate(FlowSpec flow, int index) => new Life(this, flow, index).Build();

    /// <summary>A random time of the working day <paramref name="days"/> days after the day of <paramref name="from"/>.</summary>
    private static DateTimeOffset Day(SeedRandom rng, DateTimeOffset from, int days) =>
        new(from.ToOffset(ChinaTime).Date.AddDays(days).AddMinutes(rng.Between(8 * 60, 20 * 60 + 59)), ChinaTime);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private sealed record Phase(DateTimeOffset From, string? ReportOrg, string? PlacedBy, string? Branch)
    {
        public string? ActivityOrg => Branch ?? ReportOrg;
    }

    /// <summary>An episode over time: open until <see cref="Close"/>, quiet while the member is lost, and where they stand.</summary>
    private sealed class Timeline(DateTimeOffset registered, DateTimeOffset start, DateTimeOffset end)
    {
        private readonly DateTimeOffset _end = end;

        public DateTimeOffset Registered => registered;

        public DateTimeOffset Start => start;

        public List<Phase> Phases { get; } = [];

        public DateTimeOffset Close { get; set; } = end;

        public DateTimeOffset? LostAt { get; set; }

        /// <summary>When a lost member was found or restored (or the end, if never).</summary>
        public DateTimeOffset Resume { get; set; } = end;

        /// <summary>Nothing happens while the member is lost, nor in the month before (no contact is what "lost" means).</summary>
        public bool Free(DateTimeOffset t) =>
            t > registered && t < Close && t < _end && !(LostAt is { } l && t >= l.AddDays(-31) && t < Resume);

        public Phase? At(DateTimeOffset t) => Phases.LastOrDefault(p => p.From < t);
    }

    private sealed class Life
    {
        private readonly MemberGenerator _g;
        private readonly FlowSpec _flow;
        private readonly int _index;
        private readonly SeedRandom _rng;
        private readonly string _memberId, _name, _idNumber, _formal;
        private readonly OutflowReason _reason;
        private readonly List<(DateTimeOffset At, IMemberCommand Command)> _items = [];
        private string _phone;

        public Life(MemberGenerator g, FlowSpec flow, int index)
        {
            (_g, _flow, _index) = (g, flow, index);
            _rng = SeedRandom.For("member", flow.Id, index.ToString(CultureInfo.InvariantCulture));
            _memberId = MemberId(flow, index);
            _formal = _rng.Pick(flow.From);
            _reason = _rng.Pick(flow.Reasons);
            var age = _reason switch { OutflowReason.Retirement => _rng.Between(60, 72), OutflowReason.Study => _rng.Between(19, 24), _ => _rng.Between(23, 56) };
            var birth = new DateOnly(g._end.Year - age, _rng.Between(1, 12), _rng.Between(1, 28));
            _name = People.Name(_rng);
            _idNumber = People.IdNumber(_rng, g._data.ById[_formal].Region, birth);
            _phone = People.Phone(_rng);
        }

        private Rates R => _flow.Rates;

        private Routine Rt => _flow.Routine;

        private DateTimeOffset Now => _g._end;

        public IReadOnlyList<IMemberCommand> Build()
        {
            DateTimeOffset? after = null;
            for (var n = 1; n <= 2; n++)
            {
                if (Episode(n, after) is not { } returned || !_rng.Chance(R.SecondEpisode))
                    break;
                after = returned;
            }
            // Stable: a command generated after another at the same instant stays after it.
            var ordered = _items.Select((x, seq) => (x.At, seq, x.Command)).OrderBy(x => x.At).ThenBy(x => x.seq);
            return ordered.Select((x, i) => WithId(x.Command, SeedRandom.Id($"member/{_memberId}/{i}"))).ToList();
        }

        /// <summary>One mobility episode; returns when it closed by a return, the only close a new episode may follow.</summary>
        private DateTimeOffset? Episode(int n, DateTimeOffset? after)
        {
            var found = n == 1 && _rng.Chance(R.FoundByInflow);
            var place = _g._data.Places[_rng.Pick(_flow.To)];
            DateTimeOffset departed, registered;
            if (after is { } closed)
            {
                registered = Day(_rng, closed, _rng.Between(30, 150));
                departed = Day(_rng, registered, _rng.Between(0, 10));
                if (registered >= _g._end)
                    return null;
                if (departed >= _g._end || departed < registered)
                    departed = registered;
            }
            else if (found)
            {
                // 组织找党员: the inflow side finds a member who left long ago and never registered.
                departed = Day(_rng, _g._windowStart, _rng.Between(-900, WindowDays - 120));
                registered = Day(_rng, Max(departed, _g._windowStart), _rng.Between(30, 200));
                if (registered >= _g._end)
                    registered = Day(_rng, _g._end, -_rng.Between(2, 10));
            }
            else if (_rng.Chance(0.55))
            {
                // Left before the window and registered when the outflow side combed its rolls.
                departed = Day(_rng, _g._windowStart, -_rng.Between(20, 900));
                registered = Day(_rng, _g._windowStart, _rng.Between(0, 150));
            }
            else
            {
                departed = Day(_rng, _g._windowStart, _rng.Between(0, WindowDays - 3));
                registered = Day(_rng, departed, -_rng.Between(0, 14));
            }

            var reporter = found ? place.ReportAt.FirstOrDefault(id => SideOf(id) == Side.Inflow) ?? place.PlaceIn[0].By : null;
            var card = _flow.Card is { } prefix && !found && _rng.Chance(0.7)
                ? $"{prefix}{registered.Year}{_index:D7}{(n > 1 ? "-" + n : "")}"
                : null;
            var employer = _reason == OutflowReason.Retirement ? null : _rng.Pick(_flow.Employers);
            Add(registered, found ? Staff(reporter!) : Staff(_formal), (id, a) => new RegisterOutflow(id, a, Now, _memberId, _name, _idNumber, _formal,
                _reason, place.Region, place.Place, employer, _phone, card, departed, registered));

            var timeline = new Timeline(registered, departed < registered ? departed : registered, _g._end);
            var last = Max(departed, registered);
            var reported = false;

            // Report where the member now is, and perhaps be placed in a branch there.
            void Arrive(DateTimeOffset at, string? by)
            {
                var org = by ?? _rng.Pick(place.ReportAt);
                var channel = by is not null ? ReportChannel.InPerson : _rng.Pick(_flow.Channels);
                Add(at, channel == ReportChannel.InPerson ? Staff(org) : Self(org), (id, a) => new ReportAtInflow(id, a, Now, _memberId, org, channel, at));
                timeline.Phases.Add(new Phase(at, org, null, null));
                (last, reported) = (at, true);
                if (!_rng.Chance(R.Place))
                    return;
                var placedAt = Day(_rng, at, _rng.Between(1, 30));
                if (placedAt >= _g._end)
                    return;
                var p = _rng.Pick(place.PlaceIn, x => x.Weight);
                Add(placedAt, Staff(p.By), (id, a) => new PlaceInBranch(id, a, Now, _memberId, p.By, p.Branch, placedAt));
                timeline.Phases.Add(new Phase(placedAt, org, p.By, p.Branch));
                last = placedAt;
            }

            if (found)
                Arrive(registered.AddMinutes(_rng.Between(20, 180)), reporter);
            else if (_rng.Chance(R.Report) && Day(_rng, last, Lag()) is var reportAt && reportAt < _g._end)
                Arrive(reportAt, null);

            if (reported && _rng.Chance(R.Move))
            {
                var targets = (_flow.MoveTo ?? _flow.To).Where(t => _g._data.Places[t.Key] is var p && (p.Region, p.Place) != (place.Region, place.Place))
                    .ToDictionary(t => t.Key, t => t.Value);
                var movedAt = Day(_rng, last, _rng.Between(30, 200));
                if (targets.Count > 0 && movedAt < _g._end)
                {
                    place = _g._data.Places[_rng.Pick(targets)];
                    var to = place;
                    Add(movedAt, Staff(_formal), (id, a) => new MoveOn(id, a, Now, _memberId, to.Region, to.Place, movedAt));
                    timeline.Phases.Add(new Phase(movedAt, null, null, null));
                    (last, reported) = (movedAt, false);
                    if (_rng.Chance(0.75) && Day(_rng, last, _rng.Between(5, 60)) is var again && again < _g._end)
                        Arrive(again, null);
                }
            }

            // How the episode ends, if it ends before the anchor.
            DateTimeOffset? returnedAt = null;
            var x = Day(_rng, last, _rng.Between(45, 300));
            var fate = _rng.NextDouble();
            if (x < _g._end && fate < R.Transfer)
            {
                if (reported && place.TransferTo.Count > 0)
                {
                    var receiver = _rng.Pick(place.TransferTo);
                    Add(x, Staff(_formal), (id, a) => new RequestTransfer(id, a, Now, _memberId, receiver, x));
                    if (_rng.Chance(R.Accept))
                    {
                        var acceptedAt = Day(_rng, x, _rng.Between(3, 40));
                        if (acceptedAt < _g._end)
                        {
                            Add(acceptedAt, Staff(receiver), (id, a) => new AcceptTransfer(id, a, Now, _memberId, acceptedAt));
                            timeline.Close = acceptedAt;
                        }
                    }
                    else if (_rng.Chance(0.15) && Day(_rng, x, _rng.Between(3, 30)) is var rejectedAt && rejectedAt < _g._end)
                    {
                        Add(rejectedAt, Staff(receiver), (id, a) => new RejectTransfer(id, a, Now, _memberId, "转接材料不齐全", rejectedAt));
                    }
                }
            }
            else if (x < _g._end && fate < R.Transfer + R.Return)
            {
                Add(x, Staff(_formal), (id, a) => new RecordReturn(id, a, Now, _memberId, card is not null && _rng.Chance(0.9), x));
                (timeline.Close, returnedAt) = (x, x);
            }
            else if (x < _g._end && fate < R.Transfer + R.Return + R.Lost)
            {
                Add(x, Staff(_formal), (id, a) => new MarkLostContact(id, a, Now, _memberId, x));
                timeline.LostAt = x;
                var foundAt = Day(_rng, x, _rng.Between(20, 200));
                var suspendedAt = Day(_rng, x, _rng.Between(184, 200));
                if (_rng.Chance(R.Found))
                {
                    if (foundAt < _g._end)
                    {
                        var inflowOrg = timeline.Phases.LastOrDefault()?.PlacedBy;
                        Add(foundAt, inflowOrg is not null && _rng.Chance(0.5) ? Staff(inflowOrg) : Staff(_formal), (id, a) => new MarkFound(id, a, Now, _memberId, foundAt));
                        timeline.Resume = foundAt;
                    }
                }
                else if (_rng.Chance(R.Suspend) && suspendedAt < _g._end)
                {
                    Add(suspendedAt, Staff(_formal), (id, a) => new SuspendMembership(id, a, Now, _memberId, suspendedAt));
                    var restoredAt = Day(_rng, suspendedAt, _rng.Between(20, 150));
                    if (_rng.Chance(R.Restore) && restoredAt < _g._end)
                    {
                        Add(restoredAt, Staff(_formal), (id, a) => new RestoreMembership(id, a, Now, _memberId, restoredAt));
                        timeline.Resume = restoredAt;
                    }
                }
            }

            Routine(timeline);
            return returnedAt;
        }

        /// <summary>Contacts, organisational life, appraisals, care visits and a change of details while the episode is open.</summary>
        private void Routine(Timeline timeline)
        {
            var (registered, close) = (timeline.Registered, timeline.Close);
            var days = Rt.ContactDays;
            for (var t = Day(_rng, registered, _rng.Between(1, days)); t < close && t < _g._end; t = Day(_rng, t, Math.Max(1, days + _rng.Between(-days / 4, days / 4))))
            {
                if (!timeline.Free(t) || !_rng.Chance(Rt.Contact))
                    continue;
                var phase = timeline.At(t);
                var org = phase?.PlacedBy is { } by && _rng.Chance(Rt.InflowContact) ? by : OutflowSide(phase);
                var method = _rng.Pick(ContactMethods);
                Add(t, Staff(org), (id, a, at) => new LogContact(id, a, Now, _memberId, method, null, at));
            }

            if (timeline.Phases.FirstOrDefault(p => p.ReportOrg is not null) is { } first)
            {
                for (var month = first.From; month < close && month < _g._end; month = month.AddMonths(1))
                {
                    var t = Day(_rng, month, _rng.Between(1, 28));
                    if (timeline.Free(t) && timeline.At(t)?.ActivityOrg is { } org && _rng.Chance(Rt.Activity))
                    {
                        var kind = _rng.Pick(ActivityKinds);
                        var mode = _rng.Chance(Rt.Online) ? AttendanceMode.Online : AttendanceMode.OnSite;
                        Add(t, Staff(org), (id, a, at) => new RecordActivity(id, a, Now, _memberId, org, kind, mode, at));
                    }
                    var v = Day(_rng, month, _rng.Between(1, 28));
                    if (timeline.Free(v) && timeline.At(v)?.ActivityOrg is { } host && _rng.Chance(Rt.Volunteer))
                        Add(v, Staff(host), (id, a, at) => new RecordActivity(id, a, Now, _memberId, host, ActivityKind.VolunteerService, AttendanceMode.OnSite, at));
                }

                for (var year = timeline.Start.Year; new DateTimeOffset(year + 1, 1, 1, 0, 0, 0, ChinaTime) < _g._end; year++)
                {
                    var t = Day(_rng, new DateTimeOffset(year + 1, 1, 1, 0, 0, 0, ChinaTime), _rng.Between(5, 50));
                    if (t > first.From && timeline.Free(t) && timeline.At(t)?.ActivityOrg is { } org && _rng.Chance(Rt.Appraisal))
                    {
                        var (y, result) = (year, _rng.Pick(AppraisalResults));
                        Add(t, Staff(org), (id, a, at) => new RecordAppraisal(id, a, Now, _memberId, y, result, org, at));
                    }
                }
            }

            foreach (var festival in Festivals)
            {
                var t = Day(_rng, new DateTimeOffset(festival.ToDateTime(TimeOnly.MinValue), ChinaTime), -_rng.Between(1, 12));
                if (timeline.Free(t) && _rng.Chance(Rt.Festival))
                    Visit(t, _rng.Chance(0.25) ? CareVisitKind.RedParcel : CareVisitKind.FestivalVisit, timeline.At(t), 0.4);
            }
            var span = Math.Max(2, (int)((close < _g._end ? close : _g._end) - registered).TotalDays);
            foreach (var (kind, p) in Rt.Care.OrderBy(c => c.Key))
            {
                var t = Day(_rng, registered, _rng.Between(1, span));
                if (_rng.Chance(p) && timeline.Free(t))
                    Visit(t, kind, timeline.At(t), 0.6);
            }

            var changedAt = Day(_rng, registered, _rng.Between(20, 400));
            if (_rng.Chance(Rt.DetailsChange) && timeline.Free(changedAt))
            {
                var phone = People.Phone(_rng);
                if (phone != _phone)
                {
                    Add(changedAt, Self(_formal), (id, a, at) => new ChangeDetails(id, a, Now, _memberId, phone, null, null, at));
                    _phone = phone;
                }
            }
        }

        private void Visit(DateTimeOffset t, CareVisitKind kind, Phase? phase, double inflowShare)
        {
            var org = phase?.PlacedBy is { } by && _rng.Chance(inflowShare) ? by : OutflowSide(phase);
            Add(t, Staff(org), (id, a, at) => new RecordCareVisit(id, a, Now, _memberId, kind, null, at));
        }

        /// <summary>Days from arrival to report: most within a month, some after the 90-day line.</summary>
        private int Lag() => _rng.NextDouble() switch
        {
            < 0.5 => _rng.Between(1, 30),
            < 0.85 => _rng.Between(31, 90),
            _ => _rng.Between(91, 240),
        };

        private Side SideOf(string org) => _g._data.ById[org].Side;

        /// <summary>The outflow side's hand on the member: the outpost they reported at, or else the formal branch.</summary>
        private string OutflowSide(Phase? phase) => phase?.ReportOrg is { } o && SideOf(o) == Side.Outflow ? o : _formal;

        private Actor Staff(string org) => new($"{org}.staff", org, SideOf(org));

        /// <summary>The member acting for themselves (online or in the app) at an organisation.</summary>
        private Actor Self(string org) => new($"member.{_memberId}", org, SideOf(org));

        private void Add(DateTimeOffset at, Actor actor, Func<Guid, Actor, IMemberCommand> make) => _items.Add((at, make(Guid.Empty, actor)));

        private void Add(DateTimeOffset at, Actor actor, Func<Guid, Actor, DateTimeOffset, IMemberCommand> make) => _items.Add((at, make(Guid.Empty, actor, at)));

        /// <summary>Ids are numbered after sorting, so the n-th command of a member always has the same id.</summary>
        private static IMemberCommand WithId(IMemberCommand c, Guid id) => c switch
        {
            RegisterOutflow x => x with { CommandId = id },
            ReportAtInflow x => x with { CommandId = id },
            PlaceInBranch x => x with { CommandId = id },
            LogContact x => x with { CommandId = id },
            RecordActivity x => x with { CommandId = id },
            RecordCareVisit x => x with { CommandId = id },
            RecordAppraisal x => x with { CommandId = id },
            ChangeDetails x => x with { CommandId = id },
            MoveOn x => x with { CommandId = id },
            RequestTransfer x => x with { CommandId = id },
            AcceptTransfer x => x with { CommandId = id },
            RejectTransfer x => x with { CommandId = id },
            RecordReturn x => x with { CommandId = id },
            MarkLostContact x => x with { CommandId = id },
            MarkFound x => x with { CommandId = id },
            SuspendMembership x => x with { CommandId = id },
            RestoreMembership x => x with { CommandId = id },
            _ => throw new ArgumentOutOfRangeException(nameof(c), c.GetType().Name, "not generated"),
        };
    }
}
