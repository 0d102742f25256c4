using CoManagement.EventStore;
using CoManagement.EventStore.Projections;
using Npgsql;

namespace CoManagement.Projections.Common;

/// <summary>
/// Runs a projection in the append transaction, on the append's connection, against its live schema. The schema is
/// named, not captured, so after a blue/green rebuild swaps schemas the next append writes the new tables.
/// </summary>
internal sealed class InlineProjection(IProjection projection, string liveSchema) : IAppendListener
{
    public Task OnAppendedAsync(NpgsqlConnection connection, IReadOnlyList<RecordedEvent> events, CancellationToken ct) =>
        projection.ApplyAsync(connection, liveSchema, events, ct);
}
