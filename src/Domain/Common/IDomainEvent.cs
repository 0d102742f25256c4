namespace CoManagement.Domain.Common;

/// <summary>
/// Every event names its stream and its business time, so the store can index "as of a business time" without
/// knowing each event's field names. Records implement <see cref="OccurredAt"/> explicitly, which keeps it out of the JSON.
/// </summary>
public interface IDomainEvent
{
    string StreamId { get; }

    DateTimeOffset OccurredAt { get; }
}
