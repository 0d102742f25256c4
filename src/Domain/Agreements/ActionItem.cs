using CoManagement.Domain.Common;

namespace CoManagement.Domain.Agreements;

/// <summary>A task agreed at a consultation, owned by one side, due by a date (which may lie in the future).</summary>
public sealed record ActionItem(string ItemId, string Text, Side Owner, DateTimeOffset DueAt);
