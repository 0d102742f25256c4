namespace CoManagement.Domain.Tests.Members;

/// <summary>Rules every command shares: who may act, and in what order business times may come.</summary>
public partial class MemberTests
{
    [Fact]
    public void an_actor_whose_organisation_does_not_exist_is_rejected() =>
        Given(PlacedMember).When(Contact with { Actor = new("u-x", Unknown, Side.Outflow) }).ThenRejects(ReasonCodes.OrgNotFound);

    [Fact]
    public void an_actor_claiming_the_other_side_than_its_organisation_is_rejected() =>
        Given(PlacedMember).When(Contact with { Actor = new("u-lz-01", ChengguanCommunity, Side.Outflow) })
            .ThenRejects(ReasonCodes.ActorWrongSide);

    [Fact]
    public void a_department_above_the_formal_branch_may_record_a_return() =>
        Given(PlacedMember).When(Return with { Actor = new("u-pl-09", PingliangDept, Side.Outflow) }).Then(ReturnedHome);

    [Fact]
    public void an_outflow_organisation_beside_the_formal_branch_may_not_suspend() =>
        Given(LostMember).When(Suspend with { Actor = new("u-pl-07", PingliangLiaisonStation, Side.Outflow) })
            .ThenRejects(ReasonCodes.ActorNotResponsible);

    [Fact]
    public void a_transfer_requested_by_the_inflow_side_is_rejected() =>
        Given(PlacedMember).When(Transfer with { Actor = InflowClerk }).ThenRejects(ReasonCodes.ActorNotResponsible);

    [Fact]
    public void registering_by_an_organisation_not_above_the_branch_is_rejected() =>
        Given().When(Register with { Actor = new("u-pl-07", PingliangLiaisonStation, Side.Outflow) })
            .ThenRejects(ReasonCodes.ActorNotResponsible);

    [Fact]
    public void registering_at_another_branch_than_the_formal_one_is_rejected() =>
        Given([.. TransferringMember, new TransferAccepted(MemberId, 1, ChengguanBranch, On(7, 10))])
            .When(Register with { DepartedAt = On(8, 20), RegisteredAt = On(8, 20) })
            .ThenRejects(ReasonCodes.MemberNotFormalOrg);

    [Fact]
    public void a_later_episode_with_another_id_number_is_rejected() =>
        Given(ReturnedMember).When(Register with { IdNumber = "620802199003150025", DepartedAt = On(9, 1), RegisteredAt = On(9, 1) })
            .ThenRejects(ReasonCodes.MemberIdNumberMismatch);

    [Fact]
    public void placing_before_the_report_is_rejected() =>
        Given(ReportedMember).When(Place with { PlacedAt = On(1, 10) }).ThenRejects(ReasonCodes.MemberTimeOutOfOrder);

    [Fact]
    public void moving_on_before_the_placement_is_rejected() =>
        Given(PlacedMember).When(Move with { MovedAt = On(1, 25) }).ThenRejects(ReasonCodes.MemberTimeOutOfOrder);

    [Fact]
    public void answering_a_transfer_before_it_was_requested_is_rejected()
    {
        Given(TransferringMember).When(Accept with { AcceptedAt = On(6, 1) }).ThenRejects(ReasonCodes.MemberTimeOutOfOrder);
        Given(TransferringMember).When(Refuse with { RejectedAt = On(6, 1) }).ThenRejects(ReasonCodes.MemberTimeOutOfOrder);
    }

    [Fact]
    public void being_found_before_being_lost_is_rejected() =>
        Given(LostMember).When(Found with { FoundAt = On(4, 1) }).ThenRejects(ReasonCodes.MemberTimeOutOfOrder);

    [Fact]
    public void a_restoration_before_the_suspension_is_rejected() =>
        Given(SuspendedMember).When(Restore with { RestoredAt = On(10, 1) }).ThenRejects(ReasonCodes.MemberTimeOutOfOrder);

    [Fact]
    public void a_return_before_the_episode_s_last_event_is_rejected() =>
        Given([.. PlacedMember, Contacted]).When(Return with { ReturnedAt = On(2, 25) }).ThenRejects(ReasonCodes.MemberTimeOutOfOrder);

    [Fact]
    public void a_contact_may_still_be_logged_late_after_a_move() =>
        Given([.. PlacedMember, new MovedOn(MemberId, 1, RegionCode.Parse("610113"), "西安市雁塔区", On(5, 1))])
            .When(Contact with { ContactedAt = On(3, 10) })
            .Then(Contacted with { ContactedAt = On(3, 10) });

    [Fact]
    public void an_activity_counts_as_being_seen_when_marking_lost() =>
        Given([.. PlacedMember, new ActivityAttended(MemberId, 1, ChengguanBranch, ActivityKind.ThemePartyDay, AttendanceMode.OnSite, On(3, 10))])
            .When(MarkLost with { LostAt = On(3, 11) })
            .ThenRejects(ReasonCodes.MemberRecentlyContacted);

    [Fact]
    public void a_care_visit_counts_as_being_seen_when_marking_lost() =>
        Given([.. PlacedMember, new CareVisitRecorded(MemberId, 1, Side.Inflow, CareVisitKind.FestivalVisit, null, On(3, 10))])
            .When(MarkLost with { LostAt = On(3, 11) })
            .ThenRejects(ReasonCodes.MemberRecentlyContacted);

    [Fact]
    public void being_found_counts_as_being_seen_when_marking_lost_again() =>
        Given([.. LostMember, new FoundAgain(MemberId, 1, On(5, 1))])
            .When(MarkLost with { LostAt = On(5, 2) })
            .ThenRejects(ReasonCodes.MemberRecentlyContacted);

    [Fact]
    public void placing_in_a_branch_outside_the_placing_organisation_is_rejected()
    {
        Given(ReportedMember).When(Place with { BranchId = YantaBranch }).ThenRejects(ReasonCodes.MemberBranchOutsidePlacingOrg);
        Given(ReportedMember).When(Place with { BranchId = KongtongBranch }).ThenRejects(ReasonCodes.MemberBranchOutsidePlacingOrg);
    }

    [Fact]
    public void a_transfer_to_something_that_is_not_a_branch_is_rejected() =>
        Given(PlacedMember).When(Transfer with { ReceivingOrgId = ChengguanPoint }).ThenRejects(ReasonCodes.OrgWrongKind);

    [Fact]
    public void an_appraisal_s_year_is_judged_in_china_time_whatever_offset_the_sender_used()
    {
        // 1 Jan 2026 00:30 in Beijing is still 2025 in UTC: the same instant must give the same answer either way.
        var newYear = new DateTimeOffset(2026, 1, 1, 0, 30, 0, China);
        foreach (var at in new[] { newYear, newYear.ToUniversalTime() })
            Given(PlacedMember).When(Appraisal with { Year = 2026, AppraisedAt = at, Now = newYear })
                .Then(new AppraisalRecorded(MemberId, 1, 2026, AppraisalResult.Qualified, ChengguanBranch, at));
    }

    [Fact]
    public void an_appraisal_by_an_outflow_branch_is_rejected() =>
        Given(PlacedMember).When(Appraisal with { OrganizationId = KongtongBranch }).ThenRejects(ReasonCodes.OrgWrongSide);

    [Fact]
    public void a_nul_or_a_control_character_in_a_text_or_an_id_is_rejected()
    {
        Given(PlacedMember).When(Contact with { Note = "a\0b" }).ThenRejects(ReasonCodes.InvalidCharacters);
        Given(PlacedMember).When(Contact with { Note = "broken \ud800 pair" }).ThenRejects(ReasonCodes.InvalidCharacters);
        Given(PlacedMember).When(Contact with { MemberId = MemberId + "\u0007" }).ThenRejects(ReasonCodes.InvalidCharacters);
    }

    [Fact]
    public void a_rejected_phone_or_id_number_is_not_repeated_in_the_rejection_which_is_stored_for_ever()
    {
        foreach (var bad in new[] { Register with { ContactPhone = "1390933-ABC" }, Register with { IdNumber = "62080219900315001Z" } })
        {
            var rejection = Member.Decide(bad, Member.Initial, TestData.Orgs, DomainSettings.Default).Rejection!;
            rejection.Message.ShouldNotContain("1390933-ABC");
            rejection.Message.ShouldNotContain("62080219900315001Z");
        }
    }

    [Fact]
    public void line_breaks_and_whole_surrogate_pairs_in_a_note_are_taken() =>
        Given(PlacedMember).When(Contact with { Note = "第一行\n第二行 😀" })
            .Then(Contacted with { Note = "第一行\n第二行 😀" });

    [Fact]
    public void a_time_a_little_ahead_of_now_is_taken_as_the_sender_s_clock_running_ahead() =>
        Given(PlacedMember).When(Contact with { ContactedAt = Now.AddMinutes(1) })
            .Then(Contacted with { ContactedAt = Now.AddMinutes(1) });
}
