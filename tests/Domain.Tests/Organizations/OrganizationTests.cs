namespace CoManagement.Domain.Tests.Organizations;

/// <summary>Pingliang's liaison station in Lanzhou, created under Pingliang's organisation department.</summary>
public partial class OrganizationTests
{
    private const string StationId = "pl-lanzhou-chengguan-station";
    private static readonly Actor DeptClerk = new("u-pl-dept", PingliangDept, Side.Outflow);

    private static readonly OrganizationCreated Created = new(
        StationId, "平凉市驻兰州城关流动党员联络站", PingliangDept, OrganizationKind.LiaisonStation, Side.Outflow,
        RegionCode.Parse("620102"), On(3, 1));

    private static readonly OrganizationClosed Closed = new(StationId, On(8, 1));

    private static DeciderSpec<IOrganizationCommand, IOrganizationEvent, OrganizationState> Given(params IOrganizationEvent[] events) =>
        new(Organization.Decide, Organization.Evolve, Organization.Initial, events);
}
