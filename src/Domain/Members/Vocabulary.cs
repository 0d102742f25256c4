namespace CoManagement.Domain.Members;

public enum OutflowReason
{
    Work,
    Business,
    Study,
    Retirement,
    Other,
}

public enum ReportChannel
{
    InPerson,
    Online,
    App,
}

public enum ContactMethod
{
    Phone,
    Message,
    Visit,
}

/// <summary>三会一课, the monthly theme day, study and volunteer service.</summary>
public enum ActivityKind
{
    /// <summary>支部党员大会</summary>
    BranchGeneralMeeting,

    /// <summary>支委会</summary>
    BranchCommitteeMeeting,

    /// <summary>党小组会</summary>
    PartyGroupMeeting,

    /// <summary>党课</summary>
    PartyLecture,

    /// <summary>主题党日</summary>
    ThemePartyDay,

    Study,
    VolunteerService,
}

public enum AttendanceMode
{
    OnSite,
    Online,
}

/// <summary>走访慰问 / 关怀帮扶</summary>
public enum CareVisitKind
{
    FestivalVisit,
    HardshipHelp,
    JobHelp,
    LegalAid,
    DisputeMediation,
    RedParcel,
}

/// <summary>民主评议 result.</summary>
public enum AppraisalResult
{
    Excellent,
    Qualified,
    BasicallyQualified,
    Unqualified,
}

/// <summary>How an episode closed.</summary>
public enum EpisodeOutcome
{
    Returned,
    Transferred,
    MembershipEnded,
}
