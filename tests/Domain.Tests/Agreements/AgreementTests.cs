namespace CoManagement.Domain.Tests.Agreements;

/// <summary>Pingliang (outflow) and Lanzhou (inflow) departments, with Pingliang's office in Lanzhou as a third party.</summary>
public partial class AgreementTests
{
    private const string AgreementId = "agr-pl-lz-2025";
    private static readonly Actor DeptClerk = new("u-pl-dept", PingliangDept, Side.Outflow);

    private static readonly Commitment[] AllFive =
    [
        Commitment.MemberCoManagement, Commitment.ResourceSharing, Commitment.JointOrganisationBuilding,
        Commitment.JointActivities, Commitment.JointRoleEffect,
    ];

    private static readonly AgreementSigned Signed = new(
        AgreementId, "平凉—兰州流动党员双向共管协议", PingliangDept, LanzhouDept, [PingliangOffice], AllFive, 7, On(2, 20));

    private static readonly ActionItem ExchangeLists = new("ai-1", "每月互通流动党员名单", Side.Inflow, On(4, 30));
    private static readonly ActionItem JointThemeDay = new("ai-2", "联合开展主题党日", Side.Outflow, On(5, 31));

    private static readonly ConsultationHeld Consulted = new(AgreementId, "c-2025-1", "一季度会商", [ExchangeLists, JointThemeDay], On(3, 28));

    private static readonly AgreementEnded Ended = new(AgreementId, "协议期满", On(8, 31));

    private static DeciderSpec<IAgreementCommand, IAgreementEvent, AgreementState> Given(params IAgreementEvent[] events) =>
        new(Agreement.Decide, Agreement.Evolve, Agreement.Initial, events);
}
