namespace CoManagement.Domain.Agreements;

/// <summary>The five commitments of a co-management agreement.</summary>
public enum Commitment
{
    /// <summary>党员共管</summary>
    MemberCoManagement,

    /// <summary>资源共享</summary>
    ResourceSharing,

    /// <summary>组织共建</summary>
    JointOrganisationBuilding,

    /// <summary>活动共抓</summary>
    JointActivities,

    /// <summary>作用共促</summary>
    JointRoleEffect,
}
