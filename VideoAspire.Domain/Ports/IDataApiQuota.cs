namespace VideoAspire.Domain.Ports;

/// <summary>The day's YouTube Data API units, shared by every replica (implemented on Redis).</summary>
public interface IDataApiQuota
{
    /// <summary>True when <paramref name="units"/> may be spent now for <paramref name="payer"/> within
    /// <paramref name="limits"/> (and they are counted as spent); false when a limit is reached or nothing can be counted.</summary>
    Task<bool> TryReserveAsync(int units, QuotaPayer payer, DataApiLimits limits);
}
