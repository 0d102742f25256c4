namespace CoManagement.Domain.Common;

/// <summary>
/// Thresholds with no national number behind them; the defaults come from the source articles (see shared/domain.md).
/// Months and years are fixed day counts so that a threshold means the same thing in every projection and every query.
/// </summary>
public sealed record DomainSettings
{
    public static readonly DomainSettings Default = new();

    public TimeSpan ReportOverdue { get; init; } = TimeSpan.FromDays(90);

    public TimeSpan ContactOverdue { get; init; } = TimeSpan.FromDays(30);

    public TimeSpan Idle { get; init; } = TimeSpan.FromDays(90);

    public TimeSpan LongIdle { get; init; } = TimeSpan.FromDays(180);

    public TimeSpan LostContactSuspension { get; init; } = TimeSpan.FromDays(183);

    public TimeSpan TransferExpectedAfter { get; init; } = TimeSpan.FromDays(183);

    public TimeSpan SuspensionRestorableWithin { get; init; } = TimeSpan.FromDays(730);

    /// <summary>The calendar the organisations keep (China Standard Time): an appraisal's year is judged in it, whatever offset a sender used.</summary>
    public TimeSpan CalendarOffset { get; init; } = TimeSpan.FromHours(8);

    /// <summary>How far ahead of the service's clock a sender's clock may run: a business time up to this much after now is taken.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    public int MaxTextLength { get; init; } = 200;

    public int MaxIdLength { get; init; } = 64;
}
