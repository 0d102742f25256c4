namespace CoManagement.Domain.Common;

/// <summary>Who issued a command: a user acting for one organisation on one side.</summary>
public sealed record Actor(string UserId, string OrganizationId, Side Side);
