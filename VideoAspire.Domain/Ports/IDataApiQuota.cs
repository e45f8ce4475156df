namespace VideoAspire.Domain.Ports;

/// <summary>The day's YouTube Data API units, shared by every replica (implemented on Redis).</summary>
public interface IDataApiQuota
{
    /// <summary>True when <paramref name="units"/> may be spent now within <paramref name="dailyUnits"/> (and they are
    /// counted as spent); false when the day's budget is spent or cannot be counted.</summary>
    Task<bool> TryReserveAsync(int units, int dailyUnits);
}
