using CoManagement.Domain;
using CoManagement.EventStore;

namespace CoManagement.Application;

/// <summary>The store's view of the domain: every event type under its stable name and schema version.</summary>
public static class DomainRegistry
{
    public static EventTypeRegistry Create()
    {
        var registry = new EventTypeRegistry();
        foreach (var type in DomainEvents.All)
            registry.Register(type.ClrType, type.Name, type.Version, type.JsonTypeInfo);
        return registry;
    }
}

/// <summary>Stream ids per aggregate. The prefix lets a reader of the feed tell aggregates apart without a lookup.</summary>
public static class Streams
{
    public const string MemberPrefix = "member-";
    public const string OrganizationPrefix = "org-";
    public const string AgreementPrefix = "agreement-";

    public static string Member(string memberId) => MemberPrefix + memberId;
    public static string Organization(string organizationId) => OrganizationPrefix + organizationId;
    public static string Agreement(string agreementId) => AgreementPrefix + agreementId;
}
