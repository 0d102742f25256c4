using System.Globalization;

namespace CoManagement.Projections.Common;

/// <summary>
/// Calendar months as the statistics count them: in China Standard Time (UTC+8, no daylight saving), whatever offset a
/// business time was recorded with. A month is represented by its first day.
/// </summary>
public static class Months
{
    /// <summary>The organisations' calendar, the one the domain judges an appraisal's year in.</summary>
    public static readonly TimeSpan Offset = Domain.Common.DomainSettings.Default.CalendarOffset;

    public static DateOnly Of(DateTimeOffset t)
    {
        var local = t.ToOffset(Offset);
        return new DateOnly(local.Year, local.Month, 1);
    }

    /// <summary>The instant the month ends (the first instant of the next one): "as of the month end" means before it.</summary>
    public static DateTimeOffset End(DateOnly month) => Start(month.AddMonths(1));

    public static DateTimeOffset Start(DateOnly month) => new(month.Year, month.Month, 1, 0, 0, 0, Offset);

    public static string Format(DateOnly month) => month.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out DateOnly month)
    {
        var ok = DateOnly.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out month);
        return ok;
    }
}
