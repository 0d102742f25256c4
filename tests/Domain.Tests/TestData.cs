using CoManagement.Domain.Common;
using CoManagement.Domain.Organizations;

namespace CoManagement.Domain.Tests;

/// <summary>Fixed organisations, actors and times (Pingliang → Lanzhou, 2025) shared by every decider test.</summary>
public static class TestData
{
    public static readonly TimeSpan China = TimeSpan.FromHours(8);

    public static readonly DateTimeOffset Now = On(2025, 9, 1);

    public static readonly Guid CommandId = Guid.Parse("6f1c2a52-0000-4000-8000-000000000001");

    public const string PingliangDept = "pl-dept";
    public const string KongtongBranch = "pl-kongtong-branch";
    public const string PingliangMobileBranch = "pl-lanzhou-mobile-branch";
    public const string PingliangLiaisonStation = "pl-lanzhou-liaison";
    public const string PingliangOffice = "pl-lanzhou-office";
    public const string LanzhouDept = "lz-dept";
    public const string ChengguanCommunity = "lz-chengguan-community";
    public const string ChengguanBranch = "lz-chengguan-branch";
    public const string ChengguanPoint = "lz-chengguan-point";
    public const string YantaBranch = "xa-yanta-branch";
    public const string ClosedBranch = "lz-closed-branch";
    public const string Unknown = "no-such-org";

    public static readonly OrgDirectory Orgs = OrgDirectory.Of(
        new(PingliangDept, OrganizationKind.Department, Side.Outflow, RegionCode.Parse("620800"), true),
        new(KongtongBranch, OrganizationKind.Branch, Side.Outflow, RegionCode.Parse("620802"), true, [PingliangDept]),
        new(PingliangMobileBranch, OrganizationKind.MobileBranch, Side.Outflow, RegionCode.Parse("620102"), true, [PingliangDept]),
        new(PingliangLiaisonStation, OrganizationKind.LiaisonStation, Side.Outflow, RegionCode.Parse("620102"), true, [PingliangDept]),
        new(PingliangOffice, OrganizationKind.OfficeAbroad, Side.Outflow, RegionCode.Parse("620102"), true, [PingliangDept]),
        new(LanzhouDept, OrganizationKind.Department, Side.Inflow, RegionCode.Parse("620100"), true),
        new(ChengguanCommunity, OrganizationKind.Committee, Side.Inflow, RegionCode.Parse("620102"), true, [LanzhouDept]),
        new(ChengguanBranch, OrganizationKind.Branch, Side.Inflow, RegionCode.Parse("620102"), true, [LanzhouDept, ChengguanCommunity]),
        new(ChengguanPoint, OrganizationKind.RegistrationPoint, Side.Inflow, RegionCode.Parse("620102"), true, [LanzhouDept, ChengguanCommunity]),
        new(YantaBranch, OrganizationKind.Branch, Side.Inflow, RegionCode.Parse("610113"), true),
        new(ClosedBranch, OrganizationKind.Branch, Side.Inflow, RegionCode.Parse("620102"), false, [LanzhouDept]));

    public static readonly Actor OutflowClerk = new("u-pl-01", KongtongBranch, Side.Outflow);
    public static readonly Actor InflowClerk = new("u-lz-01", ChengguanCommunity, Side.Inflow);
    public static readonly Actor ReceivingClerk = new("u-lz-02", ChengguanBranch, Side.Inflow);

    public static DateTimeOffset On(int year, int month, int day) => new(year, month, day, 9, 0, 0, China);

    public static DateTimeOffset On(int month, int day) => On(2025, month, day);
}
