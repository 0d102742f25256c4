namespace CoManagement.Domain.Organizations;

/// <summary>A figure an organisation is given a year-end target for (e.g. Pingliang: in-province coverage 100%).</summary>
public enum TargetMetric
{
    ReportRate,
    CoverageRate,
    EffectiveCoverage,
    InProvinceCoverage,
    OutOfProvinceCoverage,
    TransferRate,
    ContactRate,
    ParticipationRate,
}
