namespace VideoAspire.Domain.Ports;

/// <summary>How the day's Data API units are shared (see <c>YouTube:DailyQuotaUnits</c> and the two settings after it).</summary>
/// <param name="DailyUnits">What every replica together may spend per Pacific day.</param>
/// <param name="ServiceReservedUnits">Of those, what callers' lookups may never take: kept for the scheduled refresh.</param>
/// <param name="CallerDailyUnits">What one caller's lookups may spend per day.</param>
public readonly record struct DataApiLimits(int DailyUnits, int ServiceReservedUnits, int CallerDailyUnits);
