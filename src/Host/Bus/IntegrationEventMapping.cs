using System.Collections.Frozen;
using System.Text.Json;
using CoManagement.Domain;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.EventStore;
using CoManagement.EventStore.Outbox;
using C = CoManagement.Contracts;

namespace CoManagement.Host.Bus;

/// <summary>
/// Which committed events the other side hears about, and as what. The outbox row holds the contract together with the
/// event's correlation and command id, so the published message continues the conversation that caused it.
/// </summary>
internal static class IntegrationEventMapping
{
    public const string SideHeader = "CoManagement-Side";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly FrozenSet<string> Relevant = new[]
    {
        typeof(OutflowRegistered), typeof(ReportedAtInflow), typeof(PlacedInBranch), typeof(MovedOn), typeof(TransferAccepted),
    }.Select(t => DomainEvents.Of(t).Name).ToFrozenSet();

    /// <summary>By the name stored in <c>outbox.message_type</c>; a contract class is renamed only with a new message type.</summary>
    public static FrozenDictionary<string, Type> MessageTypes { get; } = new[]
    {
        typeof(C.OutflowRegistered), typeof(C.MemberReportedAtInflow), typeof(C.MemberPlacedInBranch), typeof(C.MemberMovedOn),
        typeof(C.MemberTransferred),
    }.ToFrozenDictionary(t => t.Name);

    public static OutboxWriter Writer(string schema, EventTypeRegistry registry) => new(schema, e => Map(e, registry));

    public static IEnumerable<OutboxMessage> Map(RecordedEvent e, EventTypeRegistry registry)
    {
        if (!Relevant.Contains(e.Type))
            return [];
        var (message, side) = registry.Deserialize(e) switch
        {
            OutflowRegistered x => ((object)new C.OutflowRegistered(x.MemberId, x.Episode, x.MemberName, x.OutflowOrgId, x.Reason.ToString(),
                x.Destination.Value, x.DestinationPlace, x.DepartedAt, x.RegisteredAt), Side.Inflow),
            ReportedAtInflow x => (new C.MemberReportedAtInflow(x.MemberId, x.Episode, x.InflowOrgId, x.Channel.ToString(), x.ReportedAt), Side.Outflow),
            PlacedInBranch x => (new C.MemberPlacedInBranch(x.MemberId, x.Episode, x.InflowOrgId, x.BranchId, x.PlacedAt), Side.Outflow),
            MovedOn x => (new C.MemberMovedOn(x.MemberId, x.Episode, x.Destination.Value, x.DestinationPlace, x.MovedAt), Side.Inflow),
            TransferAccepted x => (new C.MemberTransferred(x.MemberId, x.Episode, x.ReceivingOrgId, x.AcceptedAt), Side.Outflow),
            var other => throw new InvalidOperationException($"{other.GetType().Name} has no integration event"),
        };
        var metadata = e.Metadata;
        var envelope = new Envelope(metadata.CorrelationId, metadata.CommandId, JsonSerializer.SerializeToElement(message, message.GetType(), Json));
        return [new OutboxMessage(message.GetType().Name, JsonSerializer.Serialize(envelope, Json), side.ToString())];
    }

    public static (object Message, Type Type, Envelope Envelope) Read(PendingMessage row)
    {
        var type = MessageTypes.GetValueOrDefault(row.MessageType)
            ?? throw new InvalidOperationException($"outbox row {row.Seq} holds unknown message type '{row.MessageType}'");
        var envelope = JsonSerializer.Deserialize<Envelope>(row.PayloadJson, Json)
            ?? throw new InvalidOperationException($"outbox row {row.Seq} holds no payload");
        return (envelope.Message.Deserialize(type, Json)!, type, envelope);
    }

    internal sealed record Envelope(Guid? CorrelationId, Guid? CommandId, JsonElement Message);
}
