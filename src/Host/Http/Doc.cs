namespace CoManagement.Host.Http;

/// <summary>The OpenAPI descriptions that several endpoints' parameters share (attribute arguments, so constants).</summary>
internal static class Doc
{
    public const string ListOrg = "The organisation whose subtree is listed. Staff default to their own and may narrow to a descendant; "
        + "analysts and auditors may name any, or none for every organisation.";

    public const string FiguresOrgRule = "staff default to their own organisation and may narrow to a descendant; analysts and auditors must name one.";

    public const string FiguresOrg = "The organisation whose subtree is counted; " + FiguresOrgRule;

    public const string Side = "Outflow (default): the members registered out of the subtree; Inflow: the members whose inflow place is in it "
        + "(with no org: every member with an inflow place, so never one not reported). Staff see their own side only.";

    /// <summary>The years a month may name: wide enough for any record, narrow enough that a month's end is a date.</summary>
    public const int FirstYear = 2000, LastYear = 2100;

    public const string Month = "A month, yyyy-MM (months end at midnight China time; a year from 2000 to 2100): a closed month is answered from "
        + "the figures frozen when it closed, the current month live; a month that has not begun is refused (400). Omit for now.";

    public const string Page = "Page number, from 1 (default 1).";

    public const string PageSize = "Rows per page, 1–500 (default 50).";

    public const string At = "The instant (ISO 8601) the risk flags are judged at: now (default) or later, to see who will be overdue by then. "
        + "A past instant is refused (400; a minute's leeway for clocks): the flags are judged from each member's current row, which cannot "
        + "say what was true then; the figures at a past month's end are /api/coverage?month=yyyy-MM.";

    public const string MemberId = "The member's id, as in the roster.";

    /// <summary>Every <see cref="Domain.Members.MemberRisks"/> flag but None (a test holds the list to the enumeration).</summary>
    public const string RiskNames = "ReportOverdue, ContactOverdue, Idle, LongIdle, LostContact, TransferExpected";

    public const string Risks = "Risk flags, comma-separated (\"ReportOverdue, Idle\"), None for none. The flags: " + RiskNames + ".";
}
