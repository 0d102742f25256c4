namespace CoManagement.Domain.Organizations;

public enum OrganizationKind
{
    /// <summary>组织部: signs agreements, approves mobile branches, runs statistics.</summary>
    Department,

    /// <summary>党委 / 党工委, including a mobile-member committee.</summary>
    Committee,

    /// <summary>党支部: holds members' formal relationships.</summary>
    Branch,

    /// <summary>流动党员党支部, set up where mobile members cluster.</summary>
    MobileBranch,

    /// <summary>联络站: the outflow side's outpost in a destination city.</summary>
    LiaisonStation,

    /// <summary>服务站 / 驿站: an inflow-side point for arriving members.</summary>
    ServiceStation,

    /// <summary>报到点 / 报到窗口: a counter where members report.</summary>
    RegistrationPoint,

    /// <summary>驻外办事处: a local government's office in another city.</summary>
    OfficeAbroad,
}

public static class OrganizationKinds
{
    /// <summary>Kinds that can hold members in organisational life: the formal branch and the placement branch.</summary>
    public static readonly IReadOnlyList<OrganizationKind> Branches = [OrganizationKind.Branch, OrganizationKind.MobileBranch];

    /// <summary>Kinds that may sit at the top of a tree.</summary>
    public static readonly IReadOnlyList<OrganizationKind> Roots = [OrganizationKind.Department, OrganizationKind.Committee];

    /// <summary>
    /// Outflow-side organisations that stand in the destination city (Pingliang's liaison stations, Meixian's mobile
    /// branch in Guangzhou): members report there although they are not on the inflow side.
    /// </summary>
    public static readonly IReadOnlyList<OrganizationKind> OutflowOutposts =
        [OrganizationKind.LiaisonStation, OrganizationKind.OfficeAbroad, OrganizationKind.MobileBranch];
}
