using System.Globalization;
using StackExchange.Redis;
using VideoAspire.Redis.Connection;
using VideoAspire.Telemetry;

namespace VideoAspire.Redis.Caching;

/// <summary>
/// Resolutions shared by every replica (<see cref="CacheKeys.Resolution"/>): one small string per reference, living until
/// the resolution expires. A Redis failure is a miss (or a skipped write): PostgreSQL holds them too.
/// </summary>
public sealed class ResolutionCache(IConnectionMultiplexer redis, Outages outages, TimeProvider time)
{
    /// <summary>Separates the fields: no id, handle or title (control characters removed) contains it.</summary>
    private const char Separator = '\n';

    public async Task<CachedResolution?> GetAsync(string referenceKey)
    {
        try
        {
            var value = await redis.GetDatabase().StringGetAsync(CacheKeys.Resolution(referenceKey));
            return value.HasValue ? Decode(value.ToString()) : null;
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            outages.Degraded(ex, "resolution-get");
            return null;
        }
    }

    public async Task SetAsync(string referenceKey, CachedResolution resolution)
    {
        var ttl = resolution.ExpiresAt - time.GetUtcNow();
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().StringSetAsync(CacheKeys.Resolution(referenceKey), Encode(resolution), ttl);
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            outages.Degraded(ex, "resolution-set");
        }
    }

    internal static string Encode(CachedResolution resolution) => string.Join(Separator,
        resolution.ChannelId ?? "", Clean(resolution.Handle), resolution.ExpiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        Clean(resolution.Title));

    internal static CachedResolution? Decode(string value)
    {
        var fields = value.Split(Separator, 4);
        if (fields.Length != 4 || !long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return null; // not ours, or an older format: a miss
        }

        return new CachedResolution(
            fields[0].Length > 0 ? fields[0] : null, fields[1].Length > 0 ? fields[1] : null, fields[3].Length > 0 ? fields[3] : null,
            DateTimeOffset.FromUnixTimeMilliseconds(expires));
    }

    private static string Clean(string? value) => value is null ? "" : new string(value.Where(c => !char.IsControl(c)).ToArray());
}
