using System.Security.Claims;
using CoManagement.Domain.Common;

namespace CoManagement.Host.Auth;

/// <summary>Who is calling, from a validated token: user, role, organisation and the side that organisation is on.</summary>
public sealed record Caller(string UserId, string Role, string OrganizationId, Side Side)
{
    public const string SubjectClaim = "sub";
    public const string RoleClaim = "role";
    public const string OrgClaim = "org";
    public const string SideClaim = "side";

    public bool IsOrgStaff => Role == Roles.OrgStaff;

    /// <summary>Staff and auditors see their own organisation's part (members, agreements); analysts see masked figures everywhere.</summary>
    public bool IsOrgScoped => Role is Roles.OrgStaff or Roles.Auditor;

    /// <summary>Only a principal made by <see cref="BearerAuthenticationHandler"/> reaches an endpoint, so the claims are there.</summary>
    public static Caller From(ClaimsPrincipal principal) => TryFrom(principal)
        ?? throw new InvalidOperationException("The request is not authenticated with a co-management token.");

    public static Caller? TryFrom(ClaimsPrincipal principal) =>
        principal.FindFirstValue(SubjectClaim) is { Length: > 0 } user
        && principal.FindFirstValue(RoleClaim) is { } role && Roles.All.Contains(role)
        && principal.FindFirstValue(OrgClaim) is { Length: > 0 } org
        && Enum.TryParse<Side>(principal.FindFirstValue(SideClaim), ignoreCase: false, out var side) && Enum.IsDefined(side)
            ? new Caller(user, role, org, side)
            : null;
}
