using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.EventStore;
using static CoManagement.Application.Tests.HandlerFixture;

namespace CoManagement.Application.Tests;

public sealed class Handling_commands(HandlerFixture f) : IClassFixture<HandlerFixture>
{
    private static string NewMember() => "m-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task an_accepted_command_appends_its_events_with_actor_and_correlation_in_the_metadata()
    {
        var member = NewMember();
        var correlation = Guid.NewGuid();
        var command = Register(member);

        var result = await f.Handler.HandleAsync(command, new CommandContext(correlation));

        result.Accepted.ShouldBeTrue();
        result.Version.ShouldBe(1);
        result.EventTypes.ShouldBe(["member.outflow-registered"]);
        var stored = (await f.Store.ReadStreamAsync(Streams.Member(member))).Single();
        stored.Metadata.Actor.ShouldBe(OutflowClerk.UserId);
        stored.Metadata.Organization.ShouldBe(OutflowClerk.OrganizationId);
        stored.Metadata.Side.ShouldBe("Outflow");
        stored.Metadata.CorrelationId.ShouldBe(correlation);
        stored.Metadata.CommandId.ShouldBe(command.CommandId);
        stored.BusinessTime.ShouldBe(command.RegisteredAt);
    }

    [Fact]
    public async Task a_rule_violation_is_a_rejection_with_a_reason_code_and_appends_nothing()
    {
        var member = NewMember();
        var result = await f.Handler.HandleAsync(Report(member));
        result.Accepted.ShouldBeFalse();
        result.ReasonCode.ShouldBe(ReasonCodes.MemberNoOpenEpisode);
        result.Message.ShouldNotBeNullOrWhiteSpace();
        (await f.Store.StreamExistsAsync(Streams.Member(member))).ShouldBeFalse();
    }

    [Fact]
    public async Task a_repeated_command_id_returns_the_first_result_without_deciding_again()
    {
        var member = NewMember();
        var command = Register(member);
        var first = await f.Handler.HandleAsync(command);
        var again = await f.Handler.HandleAsync(command);

        again.Accepted.ShouldBeTrue();
        again.Duplicate.ShouldBeTrue();
        again.Version.ShouldBe(first.Version);
        (await f.Store.GetStreamVersionAsync(Streams.Member(member))).ShouldBe(1);
    }

    [Fact]
    public async Task a_rejected_command_sent_again_gets_its_first_answer_even_when_it_would_now_be_accepted()
    {
        var member = NewMember();
        var report = Report(member);
        var first = await f.Handler.HandleAsync(report);
        first.ReasonCode.ShouldBe(ReasonCodes.MemberNoOpenEpisode);
        (await f.Handler.HandleAsync(Register(member))).Accepted.ShouldBeTrue();

        var again = await f.Handler.HandleAsync(report);

        again.Accepted.ShouldBeFalse();
        again.Duplicate.ShouldBeTrue();
        again.ReasonCode.ShouldBe(ReasonCodes.MemberNoOpenEpisode);
        again.Message.ShouldBe(first.Message);
        (await f.Store.GetStreamVersionAsync(Streams.Member(member))).ShouldBe(1, "the repeat appended nothing");
        (await f.Handler.HandleAsync(report with { CommandId = Guid.NewGuid() })).Accepted.ShouldBeTrue("a new command id is decided afresh");
    }

    [Fact]
    public async Task two_copies_of_one_command_racing_get_one_answer_and_the_id_is_never_both_accepted_and_rejected()
    {
        // The second copy may pass the id check before the first commits, then find the episode open and be rejected:
        // its rejection must then give way to the acceptance, under the stream's lock.
        for (var i = 0; i < 60; i++)
        {
            var command = Register(NewMember());
            var answers = await Task.WhenAll(f.Handler.HandleAsync(command), f.Handler.HandleAsync(command));

            answers.ShouldAllBe(a => a.Accepted, $"{answers[0].ReasonCode} / {answers[1].ReasonCode}");
            answers.Count(a => a.Duplicate).ShouldBe(1);
            (await f.Store.FindRejectionAsync(command.CommandId)).ShouldBeNull();
        }
    }

    [Fact]
    public async Task an_append_of_a_command_id_rejected_before_is_refused_and_a_rejection_after_an_acceptance_stores_nothing()
    {
        var rejected = Guid.NewGuid();
        var stream = Streams.Member(NewMember());
        (await f.Store.RecordRejectionAsync(rejected, stream, 0, "x.code", "no")).ShouldNotBeNull();
        var data = f.Registry.ToEventData(new ContactLogged("m", 1, Side.Outflow, ContactMethod.Phone, null, Now), Now,
            new EventMetadata(rejected, null, "u", "o", "Outflow", rejected));
        await Should.ThrowAsync<CommandRejectedBeforeException>(() => f.Store.AppendAsync(stream, ExpectedVersion.Any, [data], rejected));
        (await f.Store.StreamExistsAsync(stream)).ShouldBeFalse();

        var accepted = Guid.NewGuid();
        await f.Store.AppendAsync(stream, ExpectedVersion.Any, [data], accepted);
        (await f.Store.RecordRejectionAsync(accepted, stream, 1, "x.code", "no")).ShouldBeNull("the acceptance stands");
        (await f.Store.FindRejectionAsync(accepted)).ShouldBeNull();
    }

    [Fact]
    public async Task the_first_rejection_stored_for_a_command_id_wins()
    {
        var id = Guid.NewGuid();
        var first = await f.Store.RecordRejectionAsync(id, "member-x", 0, "first.code", "first");
        var second = await f.Store.RecordRejectionAsync(id, "member-x", 3, "second.code", "second");

        second.ShouldBe(first);
        (await f.Store.FindRejectionAsync(id)).ShouldBe(first);
        (await f.Store.FindRejectionAsync(Guid.NewGuid())).ShouldBeNull();
    }

    [Fact]
    public async Task concurrent_commands_on_one_member_resolve_by_retry_with_nothing_lost_or_duplicated()
    {
        var member = NewMember();
        (await f.Handler.HandleAsync(Register(member))).Accepted.ShouldBeTrue();

        var contacts = Enumerable.Range(1, 8).Select(i => Contact(member, daysAgo: 29 - i)).ToArray();
        var results = await Task.WhenAll(contacts.Select(c => Task.Run(() => f.Handler.HandleAsync(c))));

        results.ShouldAllBe(r => r.Accepted && !r.Duplicate);
        var events = await f.Store.ReadStreamAsync(Streams.Member(member));
        events.Count.ShouldBe(9);
        events.Select(e => e.Version).ShouldBe(Enumerable.Range(1, 9).Select(v => (long)v));
        events.Skip(1).Select(e => e.Metadata.CommandId).OrderBy(id => id).ShouldBe(contacts.Select(c => (Guid?)c.CommandId).OrderBy(id => id));
        results.Select(r => r.Version).Distinct().Count().ShouldBe(8);
    }

    [Fact]
    public async Task the_inflow_organisation_is_checked_in_its_own_stream()
    {
        var member = NewMember();
        await f.Handler.HandleAsync(Register(member));

        (await f.Handler.HandleAsync(Report(member, org: "nowhere"))).ReasonCode.ShouldBe(ReasonCodes.OrgNotFound);
        (await f.Handler.HandleAsync(new PlaceInBranch(Guid.NewGuid(), InflowClerk, Now, member, "lz-chengguan", "lz-chengguan-branch", Now.AddDays(-10))))
            .ReasonCode.ShouldBe(ReasonCodes.MemberNotReported);
        (await f.Handler.HandleAsync(Report(member))).Accepted.ShouldBeTrue();
        (await f.Handler.HandleAsync(new PlaceInBranch(Guid.NewGuid(), InflowClerk, Now, member, "pl-dept", "pl-kongtong-branch", Now.AddDays(-10))))
            .ReasonCode.ShouldBe(ReasonCodes.OrgWrongSide);
        (await f.Handler.HandleAsync(new PlaceInBranch(Guid.NewGuid(), InflowClerk, Now, member, "lz-chengguan", "lz-chengguan-branch", Now.AddDays(-10))))
            .Accepted.ShouldBeTrue();
    }

    [Fact]
    public async Task a_closed_organisation_is_refused()
    {
        var admin = new Actor("u-admin", "lz-dept", Side.Inflow);
        await f.Handler.HandleAsync(new Domain.Organizations.CreateOrganization(Guid.NewGuid(), admin, Now, "lz-closing", "即将撤销的党支部", "lz-dept",
            Domain.Organizations.OrganizationKind.Branch, Side.Inflow, "620102", Now.AddYears(-1)));
        (await f.Handler.HandleAsync(new Domain.Organizations.CloseOrganization(Guid.NewGuid(), admin, Now, "lz-closing", Now.AddDays(-1)))).Accepted.ShouldBeTrue();
        var member = NewMember();
        await f.Handler.HandleAsync(Register(member));

        (await f.Handler.HandleAsync(Report(member, org: "lz-closing"))).ReasonCode.ShouldBe(ReasonCodes.OrgClosed);
    }

    [Theory]
    [InlineData("", ReasonCodes.MissingField)]
    [InlineData("62080", ReasonCodes.MemberInvalidRegionCode)]
    [InlineData("990101", ReasonCodes.MemberInvalidRegionCode)]
    public async Task bad_input_is_rejected_with_a_reason_code_and_appends_nothing(string region, string code)
    {
        var member = NewMember();
        var result = await f.Handler.HandleAsync(Register(member, region: region));
        result.ReasonCode.ShouldBe(code);
        (await f.Store.StreamExistsAsync(Streams.Member(member))).ShouldBeFalse();
    }

    [Fact]
    public async Task business_times_in_the_future_and_empty_ids_are_rejected()
    {
        var member = NewMember();
        var future = Register(member) with { RegisteredAt = Now.AddDays(2) };
        (await f.Handler.HandleAsync(future)).ReasonCode.ShouldBe(ReasonCodes.TimeInFuture);
        (await f.Handler.HandleAsync(Register(""))).ReasonCode.ShouldBe(ReasonCodes.MissingField);
        (await f.Handler.HandleAsync(Register(member, commandId: Guid.Empty))).ReasonCode.ShouldBe(ReasonCodes.MissingField);
        (await f.Handler.HandleAsync(Register(member) with { MemberName = new string('名', 500) })).ReasonCode.ShouldBe(ReasonCodes.FieldTooLong);
        (await f.Store.StreamExistsAsync(Streams.Member(member))).ShouldBeFalse();
    }
}
