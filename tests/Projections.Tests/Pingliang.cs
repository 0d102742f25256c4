using CoManagement.Domain.Common;
using CoManagement.Domain.Organizations;

namespace CoManagement.Projections.Tests;

/// <summary>
/// Pingliang (平凉, Gansu 62): Kongtong branches send members out; liaison stations in Lanzhou (in province), Xi'an
/// (Lianhu, Yanta, Weiyang), Yinchuan and Urumqi; Lanzhou's Chengguan community and Xi'an's Lianhu community place
/// them. Year-end targets: in-province coverage 100%, out-of-province 30%.
/// </summary>
public static class Pingliang
{
    public const string Gansu = "gs";
    public const string City = "pl";
    public const string Kongtong = "pl-kt";
    public const string BranchA = "pl-kt-a";
    public const string BranchB = "pl-kt-b";
    public const string LanzhouStation = "pl-st-lz";
    public const string LianhuStation = "pl-st-xa-lh";
    public const string YantaStation = "pl-st-xa-yt";
    public const string WeiyangStation = "pl-st-xa-wy";
    public const string YinchuanStation = "pl-st-yc";
    public const string UrumqiStation = "pl-st-wlmq";
    public const string Lanzhou = "lz";
    public const string Chengguan = "lz-cg";
    public const string ChengguanBranch = "lz-cg-b";
    public const string XianLianhu = "xa-lh";
    public const string LianhuBranch = "xa-lh-b";

    /// <summary>A new world with the organisations and January's members in it.</summary>
    public static async Task<World> JanuaryWorldAsync()
    {
        var w = await World.CreateAsync();
        await OrganisationsAsync(w);
        await JanuaryAsync(w);
        return w;
    }

    public static async Task OrganisationsAsync(World w)
    {
        await w.OrgAsync(Gansu, "甘肃省委组织部", null, OrganizationKind.Department, Side.Outflow, "620000");
        await w.OrgAsync(City, "平凉市委组织部", Gansu, OrganizationKind.Department, Side.Outflow, "620800");
        await w.OrgAsync(Kongtong, "崆峒区委", City, OrganizationKind.Committee, Side.Outflow, "620802");
        await w.OrgAsync(BranchA, "崆峒区甲村党支部", Kongtong, OrganizationKind.Branch, Side.Outflow, "620802");
        await w.OrgAsync(BranchB, "崆峒区乙村党支部", Kongtong, OrganizationKind.Branch, Side.Outflow, "620802");
        await w.OrgAsync(LanzhouStation, "平凉驻兰州联络站", City, OrganizationKind.LiaisonStation, Side.Outflow, "620100");
        await w.OrgAsync(LianhuStation, "平凉驻西安莲湖联络站", City, OrganizationKind.LiaisonStation, Side.Outflow, "610104");
        await w.OrgAsync(YantaStation, "平凉驻西安雁塔联络站", City, OrganizationKind.LiaisonStation, Side.Outflow, "610113");
        await w.OrgAsync(WeiyangStation, "平凉驻西安未央联络站", City, OrganizationKind.LiaisonStation, Side.Outflow, "610112");
        await w.OrgAsync(YinchuanStation, "平凉驻银川联络站", City, OrganizationKind.LiaisonStation, Side.Outflow, "640100");
        await w.OrgAsync(UrumqiStation, "平凉驻乌鲁木齐联络站", City, OrganizationKind.LiaisonStation, Side.Outflow, "650100");
        await w.OrgAsync(Lanzhou, "兰州市委组织部", null, OrganizationKind.Department, Side.Inflow, "620100");
        await w.OrgAsync(Chengguan, "城关区某社区党委", Lanzhou, OrganizationKind.Committee, Side.Inflow, "620102");
        await w.OrgAsync(ChengguanBranch, "城关区某社区党支部", Chengguan, OrganizationKind.Branch, Side.Inflow, "620102");
        await w.OrgAsync(XianLianhu, "莲湖区某社区党委", null, OrganizationKind.Committee, Side.Inflow, "610104");
        await w.OrgAsync(LianhuBranch, "莲湖区某社区党支部", XianLianhu, OrganizationKind.Branch, Side.Inflow, "610104");
        await w.TargetAsync(City, TargetMetric.InProvinceCoverage, 2025, 1.0m, On(2025, 1, 2));
        await w.TargetAsync(City, TargetMetric.OutOfProvinceCoverage, 2025, 0.3m, On(2025, 1, 2));
    }

    /// <summary>
    /// Seven members registered in January 2025 (3 bound for Lanzhou, 4 out of the province), by 31 January:
    /// <list type="bullet">
    /// <item>m1 Lanzhou: reported at the Lanzhou station, placed in Chengguan, theme day on 28 Jan — in-province, covered, effective.</item>
    /// <item>m2 Lanzhou: reported at Chengguan and placed there, no activity — in-province, covered.</item>
    /// <item>m3 Lanzhou: not reported — in-province.</item>
    /// <item>m4 Xi'an Lianhu: reported at the Lianhu station, placed in Lianhu, theme day — out-of-province, covered, effective.</item>
    /// <item>m5 Yinchuan: reported at the Yinchuan station, not placed — out-of-province, reported.</item>
    /// <item>m6 Urumqi, m7 Xi'an Yanta: not reported — out-of-province.</item>
    /// </list>
    /// In-province coverage 2/3 (target 100%: missed); out-of-province 1/4 = 25% (target 30%: missed).
    /// </summary>
    public static async Task JanuaryAsync(World w)
    {
        await w.RegisterAsync("m1", BranchA, "620102", On(2025, 1, 3));
        await w.RegisterAsync("m2", BranchA, "620103", On(2025, 1, 3));
        await w.RegisterAsync("m3", BranchB, "620104", On(2025, 1, 4));
        await w.RegisterAsync("m4", BranchA, "610104", On(2025, 1, 4));
        await w.RegisterAsync("m5", BranchB, "640104", On(2025, 1, 5));
        await w.RegisterAsync("m6", BranchB, "650102", On(2025, 1, 5));
        await w.RegisterAsync("m7", BranchB, "610113", On(2025, 1, 6));
        await w.ReportAsync("m1", LanzhouStation, On(2025, 1, 10), OutflowActor(LanzhouStation));
        await w.PlaceAsync("m1", Chengguan, ChengguanBranch, On(2025, 1, 12));
        await w.ReportAsync("m2", Chengguan, On(2025, 1, 11));
        await w.PlaceAsync("m2", Chengguan, ChengguanBranch, On(2025, 1, 13));
        await w.ReportAsync("m4", LianhuStation, On(2025, 1, 12), OutflowActor(LianhuStation));
        await w.PlaceAsync("m4", XianLianhu, LianhuBranch, On(2025, 1, 15));
        await w.ReportAsync("m5", YinchuanStation, On(2025, 1, 16), OutflowActor(YinchuanStation));
        await w.ActivityAsync("m1", ChengguanBranch, InflowActor(ChengguanBranch), On(2025, 1, 28));
        await w.ActivityAsync("m4", LianhuBranch, InflowActor(LianhuBranch), On(2025, 1, 28));
        await w.ContactAsync("m3", OutflowActor(BranchB), On(2025, 1, 20));
        await w.CareVisitAsync("m1", OutflowActor(BranchA), On(2025, 1, 25));
        await w.CareVisitAsync("m2", InflowActor(Chengguan), On(2025, 1, 26));
    }
}
