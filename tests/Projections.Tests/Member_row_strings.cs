using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.EventStore;
using CoManagement.Projections.Common;
using CoManagement.Projections.Members;

namespace CoManagement.Projections.Tests;

/// <summary>
/// A rebuild session holds a million member rows; the strings many of them share (organisations, regions, actors)
/// must be one copy each, whichever event set them. Each member's strings here are equal to the other's but separate
/// objects, as two decoded events give them.
/// </summary>
public sealed class Member_row_strings
{
    private static readonly DateTimeOffset At = new(2025, 3, 1, 9, 0, 0, TimeSpan.FromHours(8));

    private static string Copy(string value) => new(value.AsSpan());

    private static DecodedEvent Decoded(object e, string actor, string org) => new(
        new RecordedEvent(1, "member-x", 1, "t", 1, "{}", $$"""{"actor":"{{Copy(actor)}}","organization":"{{Copy(org)}}","side":"Inflow"}""", At, At, []), e);

    private static MemberRow Fold(string memberId, params object[] events)
    {
        MemberRow? row = null;
        foreach (var e in events)
            row = MemberRow.Evolve(row, Decoded(e, "clerk-7", "620102"));
        return row!;
    }

    private static object[] Lifecycle(string id) =>
    [
        new OutflowRegistered(id, 1, "王芳", "620102199001010000", Copy("620102"), OutflowReason.Work, RegionCode.Parse(Copy("440106")),
            "广州", null, "13800000000", null, At, At),
        new ReportedAtInflow(id, 1, Copy("4401-station"), ReportChannel.InPerson, At),
        new PlacedInBranch(id, 1, Copy("4401-station"), Copy("4401-branch-3"), At),
    ];

    [Fact]
    public void equal_strings_of_different_rows_become_one_copy_after_each_event_that_sets_them()
    {
        var pool = new Dictionary<string, string>(StringComparer.Ordinal);
        var a = Fold("m1", Lifecycle("m1"));
        var b = Fold("m2", Lifecycle("m2"));
        a.ShareStrings(pool);
        b.ShareStrings(pool);
        Same(a, b, r => r.OutflowOrgId, r => r.DestinationRegion, r => r.RegisteredBy, r => r.RegisteredByOrg, r => r.InflowOrgId,
            r => r.ReportReceivedBy, r => r.ReportReceivedByOrg, r => r.PlacedOrgId, r => r.BranchId, r => r.PlacedBy, r => r.PlacedByOrg);

        // Later events: a contact sets none, a move sets the destination, a transfer its receiver, a new report the inflow side.
        foreach (var (row, id) in new[] { (a, "m1"), (b, "m2") })
        {
            MemberRow.Evolve(row, Decoded(new ContactLogged(id, 1, Side.Inflow, ContactMethod.Phone, null, At), "clerk-8", "4401-station"));
            MemberRow.Evolve(row, Decoded(new MovedOn(id, 1, RegionCode.Parse(Copy("440305")), "深圳", At), "clerk-8", "620102"));
            MemberRow.Evolve(row, Decoded(new ReportedAtInflow(id, 1, Copy("4403-station"), ReportChannel.Online, At), "clerk-9", "4403-station"));
            MemberRow.Evolve(row, Decoded(new TransferRequested(id, 1, Copy("4403-station"), At), "clerk-9", "4403-station"));
            row.ShareStrings(pool);
        }
        Same(a, b, r => r.DestinationRegion, r => r.InflowOrgId, r => r.ReportReceivedBy, r => r.ReportReceivedByOrg, r => r.TransferToOrgId);
        ReferenceEquals(a.InflowOrgId, a.TransferToOrgId).ShouldBeTrue("one copy per value, across columns too");
    }

    private static void Same(MemberRow a, MemberRow b, params Func<MemberRow, string?>[] columns)
    {
        foreach (var column in columns)
        {
            column(a).ShouldNotBeNull();
            column(a).ShouldBe(column(b));
            ReferenceEquals(column(a), column(b)).ShouldBeTrue($"'{column(a)}' is held twice");
        }
    }
}
