using System.Text.Json;
using System.Text.RegularExpressions;

namespace CoManagement.Domain.Tests;

public class DomainEventsTests
{
    private static readonly DateTimeOffset At = On(3, 1);

    /// <summary>One instance of every event type, with every optional field set.</summary>
    private static readonly IDomainEvent[] Samples =
    [
        new OutflowRegistered("m-1", 1, "李明", "620802199003150017", KongtongBranch, OutflowReason.Business, RegionCode.Parse("440103"),
            "广州市荔湾区", "荔湾商贸", "13909330001", "PL-1", At, At),
        new ReportedAtInflow("m-1", 1, ChengguanPoint, ReportChannel.Online, At),
        new PlacedInBranch("m-1", 1, ChengguanCommunity, ChengguanBranch, At),
        new ContactLogged("m-1", 1, Side.Inflow, ContactMethod.Message, "微信联系", At),
        new ActivityAttended("m-1", 1, ChengguanBranch, ActivityKind.BranchGeneralMeeting, AttendanceMode.Online, At),
        new CareVisitRecorded("m-1", 1, Side.Outflow, CareVisitKind.JobHelp, "介绍工作", At),
        new AppraisalRecorded("m-1", 1, 2025, AppraisalResult.BasicallyQualified, ChengguanBranch, At),
        new DetailsChanged("m-1", 1, "13909330002", "新单位", "新地址", At),
        new MovedOn("m-1", 1, RegionCode.Parse("610113"), "西安市雁塔区", At),
        new TransferRequested("m-1", 1, ChengguanBranch, At),
        new TransferAccepted("m-1", 1, ChengguanBranch, At),
        new TransferRejected("m-1", 1, ChengguanBranch, "材料不全", At),
        new Returned("m-1", 1, true, At),
        new LostContactMarked("m-1", 1, At),
        new FoundAgain("m-1", 1, At),
        new MembershipSuspended("m-1", 1, At),
        new MembershipRestored("m-1", 1, At),
        new SuspensionConcluded("m-1", 1, At),
        new OrganizationCreated("o-1", "联络站", PingliangDept, OrganizationKind.LiaisonStation, Side.Outflow, RegionCode.Parse("620102"), At),
        new OrganizationRenamed("o-1", "服务中心", At),
        new OrganizationReparented("o-1", PingliangDept, LanzhouDept, At),
        new OrganizationClosed("o-1", At),
        new TargetSet("o-1", TargetMetric.InProvinceCoverage, 2025, 1m, At),
        new AgreementSigned("a-1", "协议", PingliangDept, LanzhouDept, [PingliangOffice], [Commitment.ResourceSharing, Commitment.JointRoleEffect], 7, At),
        new ConsultationHeld("a-1", "c-1", "会商", [new ActionItem("ai-1", "互通名单", Side.Inflow, At)], At),
        new ActionItemCompleted("a-1", "ai-1", At),
        new AgreementEnded("a-1", "期满", At),
    ];

    private static IEnumerable<Type> ConcreteTypesImplementing<T>() =>
        typeof(T).Assembly.GetTypes().Where(t => typeof(T).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false });

    [Fact]
    public void every_event_type_in_the_domain_is_registered_once() =>
        DomainEvents.All.Select(e => e.ClrType).ShouldBe(ConcreteTypesImplementing<IDomainEvent>(), ignoreOrder: true);

    [Fact]
    public void event_names_are_unique_and_versions_start_at_one()
    {
        DomainEvents.All.Select(e => e.Name).ShouldBeUnique();
        DomainEvents.All.ShouldAllBe(e => e.Version >= 1);
    }

    [Fact]
    public void an_event_name_starts_with_its_aggregate()
    {
        foreach (var type in DomainEvents.All)
        {
            var prefix = typeof(IMemberEvent).IsAssignableFrom(type.ClrType) ? "member."
                : typeof(IOrganizationEvent).IsAssignableFrom(type.ClrType) ? "org."
                : typeof(IAgreementEvent).IsAssignableFrom(type.ClrType) ? "agreement."
                : "none";
            type.Name.ShouldStartWith(prefix, Case.Sensitive, type.ClrType.Name);
            Regex.IsMatch(type.Name, @"^[a-z]+\.[a-z]+(-[a-z]+)*$").ShouldBeTrue(type.Name);
        }
    }

    [Fact]
    public void the_samples_cover_every_registered_event() =>
        Samples.Select(s => s.GetType()).ShouldBe(DomainEvents.All.Select(e => e.ClrType), ignoreOrder: true);

    [Fact]
    public void every_event_round_trips_through_the_source_generated_json()
    {
        foreach (var sample in Samples)
        {
            var type = DomainEvents.Of(sample);
            var json = JsonSerializer.Serialize(sample, type.JsonTypeInfo);
            var back = JsonSerializer.Deserialize(json, DomainEvents.Named(type.Name).JsonTypeInfo);

            back.ShouldBeOfType(sample.GetType());
            JsonSerializer.Serialize(back, type.JsonTypeInfo).ShouldBe(json);
            ((IDomainEvent)back).StreamId.ShouldBe(sample.StreamId);
            ((IDomainEvent)back).OccurredAt.ShouldBe(At);
        }
    }

    [Fact]
    public void the_json_is_camel_case_with_enum_names_and_region_codes_as_strings()
    {
        var json = JsonSerializer.Serialize((MovedOn)Samples[8], DomainJsonContext.Default.MovedOn);

        json.ShouldBe("""{"memberId":"m-1","episode":1,"destination":"610113","destinationPlace":"\u897F\u5B89\u5E02\u96C1\u5854\u533A","movedAt":"2025-03-01T09:00:00+08:00"}""");
        JsonSerializer.Serialize((ReportedAtInflow)Samples[1], DomainJsonContext.Default.ReportedAtInflow).ShouldContain("\"channel\":\"Online\"");
    }

    [Fact]
    public void the_readable_context_writes_chinese_as_itself_and_reads_the_same_events()
    {
        var sample = (MovedOn)Samples[8];

        var json = JsonSerializer.Serialize(sample, DomainJsonContext.Readable.MovedOn);

        json.ShouldBe("""{"memberId":"m-1","episode":1,"destination":"610113","destinationPlace":"西安市雁塔区","movedAt":"2025-03-01T09:00:00+08:00"}""");
        JsonSerializer.Deserialize(json, DomainJsonContext.Default.MovedOn).ShouldBe(sample);
        JsonSerializer.Serialize(sample, DomainJsonContext.Readable.GetTypeInfo(typeof(MovedOn))!).ShouldBe(json);
    }

    [Fact]
    public void the_business_time_is_not_written_twice() =>
        JsonSerializer.Serialize((Returned)Samples[12], DomainJsonContext.Default.Returned).ShouldNotContain("occurredAt");

    [Fact]
    public void a_stored_event_with_an_ill_formed_region_code_does_not_load() =>
        Should.Throw<JsonException>(() => JsonSerializer.Deserialize(
            """{"memberId":"m-1","episode":1,"destination":"99","destinationPlace":"x","movedAt":"2025-03-01T09:00:00+08:00"}""",
            DomainJsonContext.Default.MovedOn));

    [Fact]
    public void an_unknown_event_name_is_an_error_not_a_skip()
    {
        Should.Throw<ArgumentException>(() => DomainEvents.Named("member.teleported"));
        DomainEvents.TryNamed("member.teleported", out _).ShouldBeFalse();
        DomainEvents.TryNamed("org.created", out var created).ShouldBeTrue();
        created.ClrType.ShouldBe(typeof(OrganizationCreated));
    }

    [Fact]
    public void an_unregistered_type_is_an_error() =>
        Should.Throw<ArgumentException>(() => DomainEvents.Of(typeof(string)));

    [Fact]
    public void every_command_has_source_generated_json() =>
        ConcreteTypesImplementing<ICommand>().ShouldAllBe(t => DomainJsonContext.Default.GetTypeInfo(t) != null);

    [Fact]
    public void a_command_with_lists_round_trips()
    {
        var command = new HoldConsultation(CommandId, InflowClerk, Now, "a-1", "c-1", "会商",
            [new ActionItem("ai-1", "互通名单", Side.Inflow, At)], At);

        var json = JsonSerializer.Serialize(command, DomainJsonContext.Default.HoldConsultation);
        var back = JsonSerializer.Deserialize(json, DomainJsonContext.Default.HoldConsultation).ShouldNotBeNull();

        back.Actor.ShouldBe(InflowClerk);
        back.ActionItems.ShouldBe(command.ActionItems);
        json.ShouldContain("\"side\":\"Inflow\"");
    }
}
