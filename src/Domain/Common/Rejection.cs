namespace CoManagement.Domain.Common;

/// <summary>A broken rule. <see cref="Code"/> is one of <see cref="ReasonCodes"/> and never changes meaning.</summary>
public sealed record Rejection(string Code, string Message);
