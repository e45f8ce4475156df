using Microsoft.Extensions.Logging;

namespace VideoAspire.Telemetry;

/// <summary>One <see cref="OutageLog"/> per dependency, shared by everything in the process that uses it.</summary>
public sealed class Outages(ILoggerFactory loggers, TimeProvider timeProvider)
{
    public OutageLog Redis { get; } = new("Redis", loggers.CreateLogger("VideoAspire.Outages.Redis"), timeProvider);

    public OutageLog Database { get; } = new("PostgreSQL", loggers.CreateLogger("VideoAspire.Outages.PostgreSQL"), timeProvider);
}
