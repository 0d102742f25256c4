namespace CoManagement.Domain.Tests.Members;

/// <summary>
/// One member, 李明, registered at Kongtong's branch in Pingliang on 3 Jan 2025, left for Lanzhou on 6 Jan, reported at a
/// Chengguan registration point on 20 Jan and was placed in a Chengguan branch on 1 Feb. Each file tests one command.
/// </summary>
public partial class MemberTests
{
    private const string MemberId = "m-620802-000001";
    private const string OtherMemberId = "m-620802-000002";
    private const string IdNumber = "620802199003150017";

    /// <summary>For the suspension steps, which play out over years.</summary>
    private static readonly DateTimeOffset Later = On(2028, 1, 10);

    private static readonly OutflowRegistered Registered = new(
        MemberId, 1, "李明", IdNumber, KongtongBranch, OutflowReason.Work, RegionCode.Parse("620102"), "兰州市城关区雁滩路 1906 号",
        "兰州建工集团", "13909330001", "PL-2025-0001", On(1, 6), On(1, 3));

    private static readonly ReportedAtInflow Reported = new(MemberId, 1, ChengguanPoint, ReportChannel.InPerson, On(1, 20));
    private static readonly PlacedInBranch Placed = new(MemberId, 1, ChengguanCommunity, ChengguanBranch, On(2, 1));
    private static readonly ContactLogged Contacted = new(MemberId, 1, Side.Outflow, ContactMethod.Phone, "在兰州工作稳定", On(3, 1));
    private static readonly TransferRequested TransferRequestedToBranch = new(MemberId, 1, ChengguanBranch, On(7, 1));
    private static readonly LostContactMarked Lost = new(MemberId, 1, On(4, 15));
    private static readonly MembershipSuspended Suspended = new(MemberId, 1, On(10, 20));
    private static readonly Returned ReturnedHome = new(MemberId, 1, true, On(8, 1));

    private static readonly IMemberEvent[] Outflowed = [Registered];
    private static readonly IMemberEvent[] ReportedMember = [Registered, Reported];
    private static readonly IMemberEvent[] PlacedMember = [Registered, Reported, Placed];
    private static readonly IMemberEvent[] TransferringMember = [.. PlacedMember, TransferRequestedToBranch];
    private static readonly IMemberEvent[] LostMember = [.. PlacedMember, Contacted, Lost];
    private static readonly IMemberEvent[] SuspendedMember = [.. LostMember, Suspended];
    private static readonly IMemberEvent[] ReturnedMember = [.. PlacedMember, ReturnedHome];

    private static DeciderSpec<IMemberCommand, IMemberEvent, MemberState> Given(params IMemberEvent[] events) =>
        new(Member.Decide, Member.Evolve, Member.Initial, events);
}
