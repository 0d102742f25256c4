using CoManagement.Contracts;

namespace CoManagement.Bus.Tests;

/// <summary>One step of a scenario: a command and, when it must be refused, the reason code expected.</summary>
public sealed record Step(ICommandMessage Message, string? Rejects = null);

/// <summary>
/// Fixed data (Pingliang → Lanzhou → Xi'an, 2020–2023), with every id suffixed by a fresh run id so scenarios never
/// collide, even on a shared schema or with other test classes' integration events on the same exchanges.
/// Together the steps send every command kind, and each lifecycle also meets a rule that refuses it.
/// </summary>
public sealed class Scenario
{
    public static readonly TimeSpan China = TimeSpan.FromHours(8);

    public string Run { get; } = Guid.NewGuid().ToString("N")[..8];

    public string PlDept => $"pl-dept-{Run}";
    public string Kongtong => $"pl-kongtong-branch-{Run}";
    public string LzDept => $"lz-dept-{Run}";
    public string Chengguan => $"lz-chengguan-{Run}";
    public string ChengguanBranch => $"lz-chengguan-branch-{Run}";
    public string ChengguanPoint => $"lz-chengguan-point-{Run}";
    public string XaDept => $"xa-dept-{Run}";
    public string Yanta => $"xa-yanta-branch-{Run}";
    public string OldStation => $"lz-old-station-{Run}";
    public string AgreementId => $"ag-pl-lz-{Run}";

    public Actor Admin => new("u-admin", PlDept, "Outflow");
    public Actor LzAdmin => new("u-lz-admin", LzDept, "Inflow");
    public Actor OutflowClerk => new("u-pl-01", Kongtong, "Outflow");
    public Actor InflowClerk => new("u-lz-01", Chengguan, "Inflow");
    public Actor XianClerk => new("u-xa-01", Yanta, "Inflow");

    public static DateTimeOffset On(int year, int month, int day) => new(year, month, day, 9, 0, 0, China);

    public string Member(string name) => $"m-{name}-{Run}";

    public IEnumerable<Step> All =>
        [.. Organizations, .. Agreement, .. TransferredMember(Member("a")), .. ReturnedMember(Member("b")), .. SuspendedMember(Member("c"))];

    public IEnumerable<Step> Organizations =>
    [
        new(Create(PlDept, "平凉市委组织部", null, "Department", "Outflow", "620800")),
        new(Create(Kongtong, "崆峒区某村党支部", PlDept, "Branch", "Outflow", "620802")),
        new(Create(LzDept, "兰州市委组织部", null, "Department", "Inflow", "620100")),
        new(Create(Chengguan, "城关区某社区党委", LzDept, "Committee", "Inflow", "620102")),
        new(Create(ChengguanBranch, "城关区某社区党支部", Chengguan, "Branch", "Inflow", "620102")),
        new(Create(ChengguanPoint, "城关区报到点", LzDept, "RegistrationPoint", "Inflow", "620102")),
        new(Create(XaDept, "西安市委组织部", null, "Department", "Inflow", "610100")),
        new(Create(Yanta, "雁塔区某党支部", XaDept, "Branch", "Inflow", "610113")),
        new(Create(OldStation, "城关区旧服务站", LzDept, "ServiceStation", "Inflow", "620102")),
        new(Create(Yanta, "重复创建", XaDept, "Branch", "Inflow", "610113"), Rejects: "org.already-exists"),
        new(new RenameOrganization(null, Admin, Chengguan, "城关区某街道党工委", On(2020, 6, 1)), Rejects: "actor.not-responsible"),
        new(new RenameOrganization(null, LzAdmin, Chengguan, "城关区某街道党工委", On(2020, 6, 1))),
        new(new ReparentOrganization(null, LzAdmin, ChengguanPoint, Chengguan, On(2020, 6, 1))),
        new(new SetTarget(null, Admin, PlDept, "CoverageRate", 2021, 0.95m, On(2021, 1, 1))),
        new(new CloseOrganization(null, LzAdmin, OldStation, On(2021, 6, 1))),
    ];

    public IEnumerable<Step> Agreement =>
    [
        new(new SignAgreement(null, Admin, AgreementId, "平凉—兰州流动党员双向共管协议", PlDept, LzDept, null,
            ["MemberCoManagement", "ResourceSharing"], 15, On(2020, 12, 1))),
        new(new HoldConsultation(null, Admin, AgreementId, "c-2021-1", "季度会商",
            [new ActionItem("i-1", "核对报到名单", "Inflow", On(2021, 4, 30))], On(2021, 3, 31))),
        new(new CompleteActionItem(null, Admin, AgreementId, "i-9", On(2021, 4, 20)), Rejects: "agreement.unknown-action-item"),
        new(new CompleteActionItem(null, Admin, AgreementId, "i-1", On(2021, 4, 20))),
        new(new EndAgreement(null, Admin, AgreementId, "到期", On(2023, 12, 31))),
    ];

    /// <summary>Registers, reports, is placed, lives there, moves on to Xi'an and is transferred there.</summary>
    public IEnumerable<Step> TransferredMember(string m) =>
    [
        new(Register(m, On(2021, 1, 5))),
        new(new PlaceInBranch(null, InflowClerk, m, Chengguan, ChengguanBranch, On(2021, 1, 10)), Rejects: "member.not-reported"),
        new(new ReportAtInflow(null, InflowClerk, m, ChengguanPoint, "InPerson", On(2021, 1, 20))),
        new(new PlaceInBranch(null, InflowClerk, m, Chengguan, ChengguanBranch, On(2021, 2, 1))),
        new(new LogContact(null, OutflowClerk, m, "Phone", "电话联系", On(2021, 2, 10))),
        new(new RecordActivity(null, InflowClerk, m, ChengguanBranch, "ThemePartyDay", "OnSite", On(2021, 3, 1))),
        new(new RecordCareVisit(null, InflowClerk, m, "FestivalVisit", null, On(2021, 3, 5))),
        new(new RecordAppraisal(null, InflowClerk, m, 2021, "Excellent", ChengguanBranch, On(2021, 12, 20))),
        new(new ChangeDetails(null, OutflowClerk, m, "13900000002", null, "城关区某街道", On(2022, 1, 5))),
        new(new MarkLostContact(null, OutflowClerk, m, On(2022, 3, 1))),
        new(new MarkFound(null, OutflowClerk, m, On(2022, 3, 10))),
        new(new MoveOn(null, OutflowClerk, m, "610113", "西安市雁塔区", On(2022, 4, 1))),
        new(new ReportAtInflow(null, XianClerk, m, Yanta, "App", On(2022, 4, 10))),
        new(new RequestTransfer(null, OutflowClerk, m, Yanta, On(2022, 5, 1))),
        new(new RejectTransfer(null, XianClerk, m, "材料不全", On(2022, 5, 10))),
        new(new RequestTransfer(null, OutflowClerk, m, Yanta, On(2022, 6, 1))),
        new(new AcceptTransfer(null, InflowClerk, m, On(2022, 6, 10)), Rejects: "member.not-receiving-org"),
        new(new AcceptTransfer(null, XianClerk, m, On(2022, 6, 10))),
    ];

    public IEnumerable<Step> ReturnedMember(string m) =>
    [
        new(Register(m, On(2021, 3, 1))),
        new(new RecordReturn(null, InflowClerk, m, true, On(2021, 9, 1)), Rejects: "actor.not-responsible"),
        new(new RecordReturn(null, OutflowClerk, m, true, On(2021, 9, 1))),
    ];

    /// <summary>Lost, suspended, restored, lost again, suspended again, and the suspension concluded after two years.</summary>
    public IEnumerable<Step> SuspendedMember(string m) =>
    [
        new(Register(m, On(2020, 1, 1))),
        new(new MarkLostContact(null, OutflowClerk, m, On(2020, 3, 1))),
        new(new SuspendMembership(null, OutflowClerk, m, On(2020, 5, 1)), Rejects: "member.lost-too-recently"),
        new(new SuspendMembership(null, OutflowClerk, m, On(2020, 10, 1))),
        new(new RestoreMembership(null, OutflowClerk, m, On(2021, 1, 1))),
        new(new MarkLostContact(null, OutflowClerk, m, On(2021, 3, 1))),
        new(new SuspendMembership(null, OutflowClerk, m, On(2021, 10, 1))),
        new(new ConcludeSuspension(null, OutflowClerk, m, On(2023, 11, 1))),
    ];

    public RegisterOutflow Register(string memberId, DateTimeOffset at, Guid? commandId = null) =>
        new(commandId?.ToString(), OutflowClerk, memberId, "李明", "620802199001010017", Kongtong, "Work", "620102", "兰州市城关区", "某公司",
            "13900000001", null, at, at);

    /// <summary>Created by its parent's staff (every parent here is on its child's side), a root by its own.</summary>
    private CreateOrganization Create(string id, string name, string? parent, string kind, string side, string region) =>
        new(null, new Actor($"u-{parent ?? id}", parent ?? id, side), id, name, parent, kind, side, region, On(2015, 1, 1));
}
