using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using VideoAspire.Api.Resolution;
using VideoAspire.Api.Videos;
using VideoAspire.Redis.Caching;

namespace VideoAspire.Api.Caching;

/// <summary>
/// Output caching for channel reads: one entry per channel_id (or normalised handle or URL) and kind, tagged with the
/// channel so that a change to its videos evicts every kind of it. Only successful answers to well-formed ids and kinds are stored.
/// </summary>
/// <remarks>
/// Unlike the default policy, requests with an Authorization header are cached too: the answer does not depend on
/// who asks, and the output-cache middleware runs after authentication and authorization, so a caller who would get
/// 401/403 is turned away before the cache is consulted and never sees a cached 200.
/// </remarks>
public sealed class ChannelOutputCachePolicy(IOptions<CacheOptions> options) : IOutputCachePolicy
{
    public const string Name = "channel";

    private const string QueryKey = "channel_id";

    private const string KindKey = "kind";

    private const string HandleKey = "handle";

    private const string ChannelKey = "channel";

    /// <summary>The vary-by value of a read by handle or URL: its normalised reference.</summary>
    private const string ReferenceKey = "reference";

    /// <summary>How the framework's storage key of a response stored by this policy ends: the varied-by query value.</summary>
    private const string StorageKeySuffix = "\x1e" + QueryKey + "=";

    /// <summary>
    /// The channel a storage key of this policy is about, for its all-kinds answer. False for any other key (a kind's
    /// answer included) (and, should the framework ever
    /// change its key format, for every key: the caller then just does without what it wanted the id for).
    /// </summary>
    public static bool TryGetChannelId(string storageKey, out string channelId)
    {
        channelId = "";
        var start = storageKey.Length - ChannelId.Length;
        if (start < StorageKeySuffix.Length || !storageKey.AsSpan(0, start).EndsWith(StorageKeySuffix, StringComparison.Ordinal))
        {
            return false;
        }

        channelId = storageKey[start..];
        return ChannelId.IsValid(channelId);
    }

    public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var request = context.HttpContext.Request;
        var channelIds = request.Query[QueryKey];
        var kinds = request.Query[KindKey];
        var kind = VideoKind.All;
        var reference = channelIds.Count == 0 ? OneReference(request.Query) : null;
        var cacheable = (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && (channelIds.Count == 1 && ChannelId.IsValid(channelIds[0]) && !IsMixed(request.Query) || reference is not null)
            && kinds.Count <= 1
            && VideoKinds.TryParse(kinds.ToString(), out kind);

        context.EnableOutputCaching = true;
        context.AllowCacheLookup = cacheable;
        context.AllowCacheStorage = cacheable;
        context.AllowLocking = true; // concurrent misses for one channel wait for the first instead of piling on
        context.ResponseExpirationTimeSpan = options.Value.Ttl;
        context.CacheVaryByRules.QueryKeys = QueryKey;
        // The answer does not depend on the Host header: varying by it would let a caller mint entries at will.
        context.CacheVaryByRules.VaryByHost = false;
        if (cacheable && reference is not null)
        {
            // By the normalised reference: "@MKBHD" and "youtube.com/@mkbhd/videos" share one entry. Tagged with the
            // channel by the endpoint once resolved (here too if this instance already knows it).
            var remembered = context.HttpContext.RequestServices.GetRequiredService<ChannelResolver>().TryGetRemembered(reference, out var resolved)
                ? resolved
                : null;
            context.HttpContext.Features.Set(new ReferenceRead(reference, remembered));
            context.CacheVaryByRules.VaryByValues[ReferenceKey] = reference.Key;
            if (remembered is not null)
            {
                context.Tags.Add(CacheKeys.ChannelTag(remembered));
            }
        }
        else if (cacheable)
        {
            context.Tags.Add(CacheKeys.ChannelTag(channelIds[0]!));
            // By the parsed kind, not the raw query value: "Shorts" and "shorts" share an entry. Without one (or with
            // kind=all) the key is the one it always was.
            if (kind != VideoKind.All)
            {
                context.CacheVaryByRules.VaryByValues[KindKey] = kind.Name();
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        // A read served by the output cache is still a read: keep last_accessed_at current.
        var channelId = context.HttpContext.Features.Get<ReferenceRead>() is { } read
            ? read.RememberedChannelId
            : context.HttpContext.Request.Query[QueryKey][0];
        if (channelId is not null)
        {
            context.HttpContext.RequestServices.GetRequiredService<ChannelAccessTracker>().RecordAccess(channelId);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>A read naming channels by handle or URL too: a batch, whatever its one <c>channel_id</c> (the key varies
    /// by <c>channel_id</c> alone, so it must not be stored or answered under the single channel's key).</summary>
    private static bool IsMixed(IQueryCollection query) => query.ContainsKey(HandleKey) || query.ContainsKey(ChannelKey);

    /// <summary>The one <c>handle=</c> or <c>channel=</c> of a read that has no other, well-formed; else null.</summary>
    private static ChannelReference? OneReference(IQueryCollection query)
    {
        var handles = query[HandleKey];
        var channels = query[ChannelKey];
        return (handles.Count, channels.Count) switch
        {
            (1, 0) when ChannelReference.TryParseHandle(handles[0], out var handle) => handle,
            (0, 1) when ChannelReference.TryParse(channels[0], out var channel) => channel,
            _ => null,
        };
    }

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var response = context.HttpContext.Response;
        if (response.StatusCode != StatusCodes.Status200OK || response.Headers.SetCookie.Count > 0 || StaleAnswer.IsStale(response))
        {
            context.AllowCacheStorage = false;
        }

        // A channel's first read (Redis held no latest-five entry when the lookup went out) has just stored its answer
        // as that entry, and most of a long tail is read once: the response is stored by the channel's second read,
        // from the entry. Decided here, before the body is written, the middleware does not buffer a copy of the body
        // either (an 80 KB buffer per response, most of what a miss allocates).
        if (context.HttpContext.Features.Get<PrefetchedCacheRead>() is { FoundNoEntry: true })
        {
            context.AllowCacheStorage = false;
        }

        return ValueTask.CompletedTask;
    }
}
