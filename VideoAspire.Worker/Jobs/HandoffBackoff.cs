namespace VideoAspire.Worker.Jobs;

/// <summary>
/// Exponential backoff for the hand-off after a transient failure (1 s, doubling, at most a minute), shared by the
/// job's runs (Quartz creates a new job instance each time).
/// </summary>
public sealed class HandoffBackoff(TimeProvider timeProvider)
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Longest = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private int _failures;
    private DateTimeOffset _retryAt = DateTimeOffset.MinValue;

    public bool IsDue
    {
        get
        {
            lock (_lock)
            {
                return timeProvider.GetUtcNow() >= _retryAt;
            }
        }
    }

    public void Failed()
    {
        lock (_lock)
        {
            _retryAt = timeProvider.GetUtcNow() + Backoff.Delay(++_failures, First, Longest);
        }
    }

    public void Succeeded()
    {
        lock (_lock)
        {
            _failures = 0;
            _retryAt = DateTimeOffset.MinValue;
        }
    }
}
