using CoManagement.Domain.Agreements;
using CoManagement.Domain.Common;
using CoManagement.Domain.Organizations;

namespace CoManagement.Projections.Tests;

/// <summary>
/// Meixian (梅县, Meizhou 441400) ↔ Liwan (荔湾, Guangzhou 440100): the agreement signed at the 1906 Science Park
/// service centre in Jinhua street, with a 15-day information-sharing duty.
/// </summary>
public static class Meixian
{
    public const string Meizhou = "mz";
    public const string Department = "mx";
    public const string Branch = "mx-b";
    public const string Guangzhou = "gz";
    public const string Liwan = "lw";
    public const string Jinhua = "lw-jh";
    public const string Centre1906 = "lw-1906";
    public const string JinhuaBranch = "lw-jh-b";
    public const string Tianhe = "th";
    public const string AgreementId = "mx-lw";

    public static async Task OrganisationsAsync(World w)
    {
        await w.OrgAsync(Meizhou, "梅州市委组织部", null, OrganizationKind.Department, Side.Outflow, "441400");
        await w.OrgAsync(Department, "梅县区委组织部", Meizhou, OrganizationKind.Department, Side.Outflow, "441403");
        await w.OrgAsync(Branch, "梅县某村党支部", Department, OrganizationKind.Branch, Side.Outflow, "441403");
        await w.OrgAsync(Guangzhou, "广州市委组织部", null, OrganizationKind.Department, Side.Inflow, "440100");
        await w.OrgAsync(Liwan, "荔湾区委组织部", Guangzhou, OrganizationKind.Department, Side.Inflow, "440103");
        await w.OrgAsync(Jinhua, "金花街道党工委", Liwan, OrganizationKind.Committee, Side.Inflow, "440103");
        await w.OrgAsync(Centre1906, "1906科技园党群服务中心", Jinhua, OrganizationKind.ServiceStation, Side.Inflow, "440103");
        await w.OrgAsync(JinhuaBranch, "金花街道某党支部", Jinhua, OrganizationKind.Branch, Side.Inflow, "440103");
        await w.OrgAsync(Tianhe, "天河区委组织部", Guangzhou, OrganizationKind.Department, Side.Inflow, "440106");
    }

    /// <summary>
    /// Covered (formal branch under Meixian; reported under Liwan, or not reported and bound for 440103): a1 (reported
    /// after 10 days, placed, contacts and activities by both sides), a2 (not reported, past the 15-day duty on 10 April),
    /// a3 (found by Jinhua: registered by an inflow-side actor, reported a day later), a6 (not reported, within the
    /// duty). Not covered: a4 (bound for Tianhe), a5 (bound for Shenzhen).
    /// </summary>
    public static async Task SpringAsync(World w)
    {
        await w.SignAsync(AgreementId, Department, Liwan, 15, On(2025, 3, 1));
        await w.RegisterAsync("a1", Branch, "440103", On(2025, 3, 3));
        await w.RegisterAsync("a2", Branch, "440103", On(2025, 3, 5));
        await w.RegisterAsync("a4", Branch, "440106", On(2025, 3, 6));
        await w.RegisterAsync("a5", Branch, "440300", On(2025, 3, 7));
        await w.ReportAsync("a1", Centre1906, On(2025, 3, 13));
        await w.PlaceAsync("a1", Jinhua, JinhuaBranch, On(2025, 3, 15));
        await w.RegisterAsync("a3", Branch, "440103", On(2025, 3, 20), by: InflowActor(Jinhua), departedAt: On(2025, 1, 1));
        await w.ReportAsync("a3", Centre1906, On(2025, 3, 21));
        await w.ContactAsync("a1", OutflowActor(Branch), On(2025, 3, 20));
        await w.ContactAsync("a1", InflowActor(Jinhua), On(2025, 3, 21));
        await w.ActivityAsync("a1", JinhuaBranch, InflowActor(JinhuaBranch), On(2025, 3, 28));
        await w.CareVisitAsync("a1", InflowActor(Jinhua), On(2025, 4, 1));
        await w.DoAsync(new HoldConsultation(Guid.NewGuid(), OutflowActor(Department), On(2025, 4, 1), AgreementId, "c1", "春季会商",
        [
            new ActionItem("i1", "核对流动党员名单", Side.Outflow, On(2025, 4, 8)),
            new ActionItem("i2", "组织报到", Side.Inflow, On(2025, 4, 5)),
            new ActionItem("i3", "联合主题党日", Side.Inflow, On(2025, 4, 30)),
        ], On(2025, 4, 1)));
        await w.DoAsync(new CompleteActionItem(Guid.NewGuid(), OutflowActor(Department), On(2025, 4, 7), AgreementId, "i1", On(2025, 4, 7)));
        await w.RegisterAsync("a6", Branch, "440103", On(2025, 4, 5));
        await w.ActivityAsync("a1", JinhuaBranch, InflowActor(JinhuaBranch), On(2025, 4, 8));
    }
}
