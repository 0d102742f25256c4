namespace CoManagement.Domain.Members;

/// <summary>Where a member stands, derived from the latest episode (see <see cref="MemberState.Status"/>).</summary>
public enum MemberStatus
{
    /// <summary>No episode was ever registered.</summary>
    NotMobile,

    /// <summary>Open episode, registered but not (yet, or not again after moving on) reported at the destination.</summary>
    Outflowed,

    Reported,
    Placed,

    /// <summary>A transfer is requested and not yet answered; the origin is still responsible.</summary>
    Transferring,

    LostContact,
    Suspended,

    /// <summary>The last episode closed by a transfer; the member is off the mobile roster.</summary>
    Transferred,

    /// <summary>The last episode closed by a return.</summary>
    Returned,

    /// <summary>The suspension was concluded; terminal.</summary>
    MembershipEnded,
}
