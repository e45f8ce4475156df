namespace VideoAspire;

/// <summary>The one retry schedule: the first delay, doubling per attempt, capped.</summary>
/// <remarks>The AppHost compiles this file in, as it does <see cref="ResourceNames"/>. The Worker's scheduled refresh
/// applies the same doubling in SQL (a channel's failures select it less often), where no delay is waited.</remarks>
#if APPHOST
internal
#else
public
#endif
static class Backoff
{
    /// <summary>The delay before retry number <paramref name="attempt"/> (1 for the first retry).</summary>
    public static TimeSpan Delay(int attempt, TimeSpan first, TimeSpan longest) =>
        TimeSpan.FromTicks((long)Math.Min(longest.Ticks, first.Ticks * Math.Pow(2, Math.Clamp(attempt - 1, 0, 62))));
}
