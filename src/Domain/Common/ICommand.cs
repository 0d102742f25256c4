namespace CoManagement.Domain.Common;

/// <summary>
/// The envelope every command carries. <see cref="Now"/> comes from the edge's <c>TimeProvider</c>, so deciders never
/// read a clock; the business time (<c>…At</c>) is a separate field where it can differ from it.
/// </summary>
public interface ICommand
{
    Guid CommandId { get; }

    Actor Actor { get; }

    DateTimeOffset Now { get; }
}
