namespace CoManagement.Domain.Common;

/// <summary>
/// Every reason a command can be rejected for. Replies, logs, the API and the tests all use these strings, so a code
/// is never renamed or reused for another meaning; add a new one instead.
/// </summary>
public static class ReasonCodes
{
    public const string MissingField = "command.missing-field";
    public const string FieldTooLong = "command.field-too-long";
    public const string InvalidValue = "command.invalid-value";
    public const string TimeInFuture = "command.time-in-future";
    public const string InvalidCharacters = "command.invalid-characters";
    public const string WrongStream = "command.wrong-stream";
    public const string UnknownCommand = "command.unknown";

    /// <summary>The bus message could not be turned into a command (a missing field, an unknown name, a malformed id).</summary>
    public const string CommandUnreadable = "command.unreadable";

    /// <summary>
    /// The service could not reach its database, even after retrying: nothing was decided, and this answer is not
    /// stored, so the same command id is judged afresh when sent again.
    /// </summary>
    public const string ServiceUnavailable = "service.unavailable";

    public const string ActorWrongSide = "actor.wrong-side";
    public const string ActorNotResponsible = "actor.not-responsible";

    public const string MemberInvalidRegionCode = "member.invalid-region-code";
    public const string MemberInvalidPhone = "member.invalid-phone";
    public const string MemberInvalidIdNumber = "member.invalid-id-number";
    public const string MemberEpisodeAlreadyOpen = "member.episode-already-open";
    public const string MemberOverlapsPreviousEpisode = "member.overlaps-previous-episode";
    public const string MemberNoOpenEpisode = "member.no-open-episode";
    public const string MemberTimeBeforeEpisode = "member.time-before-episode";
    public const string MemberTimeOutOfOrder = "member.time-out-of-order";
    public const string MemberNotFormalOrg = "member.not-formal-org";
    public const string MemberIdNumberMismatch = "member.id-number-mismatch";
    public const string MemberBranchOutsidePlacingOrg = "member.branch-outside-placing-org";
    public const string MemberMembershipEnded = "member.membership-ended";
    public const string MemberAlreadyReported = "member.already-reported";
    public const string MemberNotReported = "member.not-reported";
    public const string MemberLostContact = "member.lost-contact";
    public const string MemberSuspended = "member.suspended";
    public const string MemberTransferPending = "member.transfer-pending";
    public const string MemberNoTransferPending = "member.no-transfer-pending";
    public const string MemberTransferToOwnOrg = "member.transfer-to-own-org";
    public const string MemberNotReceivingOrg = "member.not-receiving-org";
    public const string MemberAlreadyAppraised = "member.already-appraised";
    public const string MemberAppraisalYearOutOfRange = "member.appraisal-year-out-of-range";
    public const string MemberRecentlyContacted = "member.recently-contacted";
    public const string MemberNotLost = "member.not-lost";
    public const string MemberLostTooRecently = "member.lost-too-recently";
    public const string MemberNotSuspended = "member.not-suspended";
    public const string MemberSuspensionExpired = "member.suspension-expired";
    public const string MemberSuspensionStillRestorable = "member.suspension-still-restorable";

    public const string OrgNotFound = "org.not-found";
    public const string OrgClosed = "org.closed";
    public const string OrgWrongSide = "org.wrong-side";
    public const string OrgWrongKind = "org.wrong-kind";
    public const string OrgInvalidRegionCode = "org.invalid-region-code";
    public const string OrgAlreadyExists = "org.already-exists";
    public const string OrgParentRequired = "org.parent-required";
    public const string OrgParentIsSelf = "org.parent-is-self";
    public const string OrgParentCycle = "org.parent-cycle";
    public const string OrgTargetOutOfRange = "org.target-out-of-range";

    public const string AgreementNotFound = "agreement.not-found";
    public const string AgreementAlreadySigned = "agreement.already-signed";
    public const string AgreementEnded = "agreement.ended";
    public const string AgreementSameParty = "agreement.same-party";
    public const string AgreementDuplicateParty = "agreement.duplicate-party";
    public const string AgreementInvalidSharingDuty = "agreement.invalid-sharing-duty";
    public const string AgreementBeforeSigning = "agreement.before-signing";
    public const string AgreementDuplicateConsultation = "agreement.duplicate-consultation";
    public const string AgreementDuplicateActionItem = "agreement.duplicate-action-item";
    public const string AgreementDueBeforeConsultation = "agreement.due-before-consultation";
    public const string AgreementUnknownActionItem = "agreement.unknown-action-item";
    public const string AgreementCompletedBeforeConsultation = "agreement.completed-before-consultation";

    /// <summary>All codes, for documentation and for tests that check they are unique.</summary>
    public static IReadOnlyList<string> All { get; } =
        typeof(ReasonCodes).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToArray();
}
