namespace CoManagement.Domain.Tests.Members;

public partial class MemberTests
{
    [Fact]
    public void a_member_with_no_events_is_not_mobile()
    {
        Member.Initial.Status.ShouldBe(MemberStatus.NotMobile);
        Member.Initial.EpisodeCount.ShouldBe(0);
        Member.IsTerminal(Member.Initial).ShouldBeFalse();
    }

    public static TheoryData<string, MemberStatus> Lifecycle => new()
    {
        { "outflowed", MemberStatus.Outflowed },
        { "reported", MemberStatus.Reported },
        { "placed", MemberStatus.Placed },
        { "transferring", MemberStatus.Transferring },
        { "lost", MemberStatus.LostContact },
        { "suspended", MemberStatus.Suspended },
        { "returned", MemberStatus.Returned },
    };

    [Theory]
    [MemberData(nameof(Lifecycle))]
    public void the_status_follows_the_lifecycle(string stage, MemberStatus expected) =>
        Member.Fold(stage switch
        {
            "outflowed" => Outflowed,
            "reported" => ReportedMember,
            "placed" => PlacedMember,
            "transferring" => TransferringMember,
            "lost" => LostMember,
            "suspended" => SuspendedMember,
            "returned" => ReturnedMember,
            _ => throw new ArgumentOutOfRangeException(nameof(stage)),
        }).Status.ShouldBe(expected);

    [Fact]
    public void the_state_keeps_who_the_member_is_and_every_step_of_the_open_episode()
    {
        var state = Member.Fold([.. PlacedMember, Contacted]);

        state.MemberId.ShouldBe(MemberId);
        state.MemberName.ShouldBe("李明");
        state.IdNumber.ShouldBe(IdNumber);
        var episode = state.OpenEpisode.ShouldNotBeNull();
        episode.Number.ShouldBe(1);
        episode.OutflowOrgId.ShouldBe(KongtongBranch);
        episode.Destination.ShouldBe(RegionCode.Parse("620102"));
        episode.StartedAt.ShouldBe(On(1, 3));
        episode.ReportedAt.ShouldBe(On(1, 20));
        episode.PlacedAt.ShouldBe(On(2, 1));
        episode.LastContactAt.ShouldBe(On(3, 1));
        episode.LastActivityAt.ShouldBeNull();
    }

    [Fact]
    public void a_placed_member_in_touch_and_active_has_no_risk()
    {
        var state = Member.Fold([.. PlacedMember, Contacted, new ActivityAttended(MemberId, 1, ChengguanBranch, ActivityKind.Study, AttendanceMode.Online, On(3, 2))]);

        state.RisksAt(On(3, 20), DomainSettings.Default).ShouldBe(MemberRisks.None);
    }

    [Fact]
    public void a_member_not_reported_after_ninety_days_is_overdue()
    {
        var state = Member.Fold(Outflowed);

        state.RisksAt(On(1, 6).AddDays(90), DomainSettings.Default).HasFlag(MemberRisks.ReportOverdue).ShouldBeFalse();
        state.RisksAt(On(1, 6).AddDays(91), DomainSettings.Default).HasFlag(MemberRisks.ReportOverdue).ShouldBeTrue();
    }

    [Fact]
    public void moving_on_restarts_the_report_clock() =>
        Member.Fold([.. PlacedMember, new MovedOn(MemberId, 1, RegionCode.Parse("610113"), "西安市雁塔区", On(5, 1))])
            .RisksAt(On(6, 1), DomainSettings.Default).HasFlag(MemberRisks.ReportOverdue).ShouldBeFalse();

    [Fact]
    public void a_month_without_contact_is_a_contact_risk() =>
        Member.Fold([.. PlacedMember, Contacted]).RisksAt(On(4, 1), DomainSettings.Default).HasFlag(MemberRisks.ContactOverdue).ShouldBeTrue();

    [Fact]
    public void ninety_and_a_hundred_and_eighty_days_without_organisational_life_are_idle_and_long_idle()
    {
        var state = Member.Fold(PlacedMember);

        state.RisksAt(On(1, 3).AddDays(100), DomainSettings.Default).ShouldBe(MemberRisks.ContactOverdue | MemberRisks.Idle);
        state.RisksAt(On(1, 3).AddDays(181), DomainSettings.Default)
            .ShouldBe(MemberRisks.ContactOverdue | MemberRisks.Idle | MemberRisks.LongIdle);
    }

    [Fact]
    public void six_months_at_the_reported_place_makes_a_transfer_expected() =>
        Member.Fold(PlacedMember).RisksAt(On(1, 20).AddDays(183), DomainSettings.Default)
            .HasFlag(MemberRisks.TransferExpected).ShouldBeTrue();

    [Fact]
    public void a_lost_member_carries_only_the_lost_flag() =>
        Member.Fold(LostMember).RisksAt(Now, DomainSettings.Default).ShouldBe(MemberRisks.LostContact);

    [Fact]
    public void a_closed_episode_carries_no_risk() =>
        Member.Fold(ReturnedMember).RisksAt(Now, DomainSettings.Default).ShouldBe(MemberRisks.None);

    [Fact]
    public void a_fact_without_its_episode_s_registration_changes_nothing()
    {
        // As of a business time between departure and a late registration: the contact is dated by then, the registration not.
        Member.Fold([Contacted with { ContactedAt = On(1, 4) }]).ShouldBe(Member.Initial);
        var second = Registered with { Episode = 2, DepartedAt = On(9, 1), RegisteredAt = On(9, 1) };
        var secondEpisode = Member.Fold([.. ReturnedMember, second]);
        Member.Fold([.. ReturnedMember, second, Contacted]).ShouldBe(secondEpisode, "a late contact of episode 1 is not episode 2's");
    }

    [Fact]
    public void the_handler_is_told_which_organisations_to_look_up()
    {
        var outflowed = Member.Fold(Outflowed);
        Member.OrganizationsNamedIn(Register, Member.Initial).ShouldBe([KongtongBranch]);
        Member.OrganizationsNamedIn(Report, outflowed).ShouldBe([ChengguanPoint, ChengguanCommunity, KongtongBranch]);
        Member.OrganizationsNamedIn(Place, outflowed).ShouldBe([ChengguanCommunity, ChengguanBranch, KongtongBranch]);
        Member.OrganizationsNamedIn(Activity, outflowed).ShouldBe([ChengguanBranch, ChengguanCommunity, KongtongBranch]);
        Member.OrganizationsNamedIn(Appraisal, outflowed).ShouldBe([ChengguanBranch, ChengguanCommunity, KongtongBranch]);
        Member.OrganizationsNamedIn(Transfer, outflowed).ShouldBe([ChengguanBranch, KongtongBranch]);
        Member.OrganizationsNamedIn(Contact, outflowed).ShouldBe([KongtongBranch]);
    }

    [Fact]
    public void the_lookup_list_skips_blank_ids_and_names_each_organisation_once()
    {
        Member.OrganizationsNamedIn(Register with { OutflowOrgId = " " }, Member.Initial).ShouldBe([KongtongBranch]);
        Member.OrganizationsNamedIn(Place with { BranchId = ChengguanCommunity }, Member.Initial).ShouldBe([ChengguanCommunity]);
    }

    [Fact]
    public void every_member_event_names_its_stream_and_business_time()
    {
        IDomainEvent e = Reported;

        e.StreamId.ShouldBe(MemberId);
        e.OccurredAt.ShouldBe(On(1, 20));
    }
}
