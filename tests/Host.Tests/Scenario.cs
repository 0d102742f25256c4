using CoManagement.Application;
using CoManagement.Domain.Agreements;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Domain.Organizations;
using CoManagement.Host.Auth;

namespace CoManagement.Host.Tests;

/// <summary>
/// Pingliang (outflow: a department over two branches) ↔ Lanzhou and Xi'an (inflow), four members and one agreement,
/// written through the command handler with fixed 2025 dates, and one caller per role and scope.
/// </summary>
public static class Scenario
{
    public static readonly TimeSpan China = TimeSpan.FromHours(8);

    public const string PlDept = "pl-dept", Kongtong = "pl-kongtong", Jingchuan = "pl-jingchuan";
    public const string LzDept = "lz-dept", Chengguan = "lz-chengguan", ChengguanBranch = "lz-chengguan-branch";
    public const string XaDept = "xa-dept", Yanta = "xa-yanta";
    public const string Agreement = "ag-pl-lz";

    /// <summary>Kongtong → Lanzhou: reported, placed, contacted, attended; five events.</summary>
    public const string Placed = "m-001";

    /// <summary>Kongtong → Xi'an: reported at Yanta.</summary>
    public const string ReportedInXian = "m-002";

    /// <summary>Jingchuan → Lanzhou: never reported.</summary>
    public const string NeverReported = "m-003";

    /// <summary>Jingchuan → Lanzhou: reported at Chengguan, then returned.</summary>
    public const string Returned = "m-004";

    public const string PlacedIdNumber = "620802199001010011", PlacedPhone = "13800000001";

    public static readonly Caller KongtongStaff = new("u-kt", Roles.OrgStaff, Kongtong, Side.Outflow);
    public static readonly Caller JingchuanStaff = new("u-jc", Roles.OrgStaff, Jingchuan, Side.Outflow);
    public static readonly Caller PingliangStaff = new("u-pl", Roles.OrgStaff, PlDept, Side.Outflow);
    public static readonly Caller ChengguanStaff = new("u-cg", Roles.OrgStaff, Chengguan, Side.Inflow);
    public static readonly Caller YantaStaff = new("u-yt", Roles.OrgStaff, Yanta, Side.Inflow);
    public static readonly Caller Analyst = new("u-an", Roles.Analyst, PlDept, Side.Outflow);
    public static readonly Caller Auditor = new("u-au", Roles.Auditor, PlDept, Side.Outflow);
    public static readonly Caller OutsideAuditor = new("u-au2", Roles.Auditor, LzDept, Side.Inflow);

    public static readonly Caller BranchAuditor = new("u-au4", Roles.Auditor, Kongtong, Side.Outflow);

    /// <summary>A validly signed auditor token naming an organisation that does not exist.</summary>
    public static readonly Caller StrangerAuditor = new("u-au3", Roles.Auditor, "nosuchorg", Side.Outflow);

    public static readonly IReadOnlyDictionary<string, Caller?> Callers = new Dictionary<string, Caller?>
    {
        ["anonymous"] = null,
        ["kongtong"] = KongtongStaff,
        ["jingchuan"] = JingchuanStaff,
        ["pingliang"] = PingliangStaff,
        ["chengguan"] = ChengguanStaff,
        ["yanta"] = YantaStaff,
        ["analyst"] = Analyst,
        ["auditor"] = Auditor,
        ["outside-auditor"] = OutsideAuditor,
        ["stranger-auditor"] = StrangerAuditor,
    };

    public static DateTimeOffset On(int month, int day) => new(2025, month, day, 9, 0, 0, China);

    public static async Task WriteAsync(CommandHandler handler)
    {
        var outflow = new Actor("u-kt", Kongtong, Side.Outflow);
        var jingchuan = new Actor("u-jc", Jingchuan, Side.Outflow);
        var inflow = new Actor("u-cg", Chengguan, Side.Inflow);
        var xian = new Actor("u-yt", Yanta, Side.Inflow);
        var admin = new Actor("admin", PlDept, Side.Outflow);
        var now = DateTimeOffset.UtcNow;
        var established = On(1, 1).AddYears(-5);

        async Task Run(ICommand command)
        {
            var result = await handler.HandleAsync(command);
            result.Accepted.ShouldBeTrue($"{command.GetType().Name}: {result.ReasonCode} {result.Message}");
        }

        async Task Org(string id, string? parent, OrganizationKind kind, Side side, string region) =>
            // Created by its parent's staff (each parent here is on its child's side), a root by its own.
            await Run(new CreateOrganization(Guid.NewGuid(), new Actor("admin", parent ?? id, side), now, id, id, parent, kind, side, region, established));

        await Org(PlDept, null, OrganizationKind.Department, Side.Outflow, "620800");
        await Org(Kongtong, PlDept, OrganizationKind.Branch, Side.Outflow, "620802");
        await Org(Jingchuan, PlDept, OrganizationKind.Branch, Side.Outflow, "620821");
        await Org(LzDept, null, OrganizationKind.Department, Side.Inflow, "620100");
        await Org(Chengguan, LzDept, OrganizationKind.Committee, Side.Inflow, "620102");
        await Org(ChengguanBranch, Chengguan, OrganizationKind.Branch, Side.Inflow, "620102");
        await Org(XaDept, null, OrganizationKind.Department, Side.Inflow, "610100");
        await Org(Yanta, XaDept, OrganizationKind.Branch, Side.Inflow, "610113");

        await Run(new SignAgreement(Guid.NewGuid(), admin, now, Agreement, "平凉—兰州流动党员双向共管协议", PlDept, LzDept, [],
            [Commitment.MemberCoManagement, Commitment.JointActivities], 7, On(1, 2)));

        async Task Register(Actor actor, string member, string name, string org, string region, string idNumber, string phone, DateTimeOffset at) =>
            await Run(new RegisterOutflow(Guid.NewGuid(), actor, now, member, name, idNumber, org, OutflowReason.Work,
                region, "兰州市城关区", "某公司", phone, null, at.AddDays(-3), at));

        await Register(outflow, Placed, "张三", Kongtong, "620102", PlacedIdNumber, PlacedPhone, On(3, 1));
        await Run(new ReportAtInflow(Guid.NewGuid(), inflow, now, Placed, Chengguan, ReportChannel.InPerson, On(3, 10)));
        await Run(new PlaceInBranch(Guid.NewGuid(), inflow, now, Placed, Chengguan, ChengguanBranch, On(3, 20)));
        await Run(new LogContact(Guid.NewGuid(), inflow, now, Placed, ContactMethod.Phone, null, On(4, 1)));
        await Run(new RecordActivity(Guid.NewGuid(), inflow, now, Placed, ChengguanBranch, ActivityKind.ThemePartyDay, AttendanceMode.OnSite, On(4, 15)));

        await Register(outflow, ReportedInXian, "李四", Kongtong, "610113", "620802199102020022", "13800000002", On(2, 1));
        await Run(new ReportAtInflow(Guid.NewGuid(), xian, now, ReportedInXian, Yanta, ReportChannel.App, On(2, 15)));

        await Register(jingchuan, NeverReported, "王五", Jingchuan, "620102", "620821199203030033", "13800000003", On(1, 5));

        await Register(jingchuan, Returned, "赵六", Jingchuan, "620102", "620821199304040044", "13800000004", On(1, 10));
        await Run(new ReportAtInflow(Guid.NewGuid(), inflow, now, Returned, Chengguan, ReportChannel.Online, On(1, 20)));
        await Run(new RecordReturn(Guid.NewGuid(), jingchuan, now, Returned, true, On(5, 1)));
    }
}
