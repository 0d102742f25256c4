using System.Text.Json.Nodes;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.EventStore;

namespace CoManagement.Host.Http;

/// <summary>One stored event as an auditor sees it: both times, who did it, and the hash that chains it.</summary>
public sealed record HistoryEvent(
    long Position, long Version, string Type, int SchemaVersion, DateTimeOffset BusinessTime, DateTimeOffset RecordedTime,
    JsonNode? Data, string? Actor, string? Organization, string? Side, Guid? CommandId, Guid? CorrelationId, string Hash);

/// <summary><see cref="Masked"/> says whether ID and phone numbers in the data were masked for this caller.</summary>
public sealed record MemberHistory(string MemberId, long Version, string? OwningOrganization, bool Masked, IReadOnlyList<HistoryEvent> Events);

public sealed record AsOfView(string Kind, string Value);

public sealed record MemberStateView(string MemberId, AsOfView? AsOf, long Version, string? OwningOrganization, bool Masked, MemberState State);

public static class MemberViews
{
    private static readonly HashSet<string> IdFields = ["idNumber"];
    private static readonly HashSet<string> PhoneFields = ["contactPhone", "phone"];

    public static HistoryEvent ToHistory(RecordedEvent e, bool mask)
    {
        var metadata = e.Metadata;
        var data = JsonNode.Parse(e.Json);
        if (mask)
            MaskNode(data);
        return new HistoryEvent(e.Position, e.Version, e.Type, e.SchemaVersion, e.BusinessTime, e.RecordedTime, data,
            metadata.Actor, metadata.Organization, metadata.Side, metadata.CommandId, metadata.CorrelationId,
            Convert.ToHexStringLower(e.Hash));
    }

    public static MemberState Mask(MemberState state) => state with
    {
        IdNumber = state.IdNumber is null ? null : Masking.IdNumber(state.IdNumber),
        Episode = state.Episode is { } e ? e with { ContactPhone = Masking.Phone(e.ContactPhone) } : null,
    };

    /// <summary>By field name, at any depth, so an event type added later is masked without a change here.</summary>
    private static void MaskNode(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (child is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        if (IdFields.Contains(name))
                            obj[name] = Masking.IdNumber(text);
                        else if (PhoneFields.Contains(name))
                            obj[name] = Masking.Phone(text);
                    }
                    else
                    {
                        MaskNode(child);
                    }
                }
                break;
            case JsonArray array:
                foreach (var child in array)
                    MaskNode(child);
                break;
        }
    }
}
