namespace CoManagement.Host.Auth;

/// <summary>The three roles a token can carry and the policies built on them.</summary>
public static class Roles
{
    public const string OrgStaff = "org-staff";
    public const string Analyst = "analyst";
    public const string Auditor = "auditor";

    public static readonly IReadOnlyList<string> All = [OrgStaff, Analyst, Auditor];

    /// <summary>Figures, rosters and risk lists: analysts everywhere, organisation staff within their scope.</summary>
    public const string ReadFiguresPolicy = "read-figures";

    /// <summary>Figures that span every organisation (the flow matrix): analysts only.</summary>
    public const string AnalystPolicy = "analyst";

    /// <summary>Agreements and their bilateral audit view: also auditors, whose work they are.</summary>
    public const string ReadAgreementsPolicy = "read-agreements";

    /// <summary>Member histories, time travel, verification and seals: auditors only, every read recorded.</summary>
    public const string AuditPolicy = "audit";
}
