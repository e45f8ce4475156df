namespace VideoAspire.Api.Subscriptions;

/// <summary>The rules for a subscription's channels and kinds (its URL: <see cref="EndpointUrlPolicy"/>).</summary>
public static class SubscriptionValidation
{
    /// <summary>Distinct valid channel ids, or the validation errors; too many is a limit (422), not an error here.</summary>
    public static string[] Channels(string[]? channelIds, Dictionary<string, string[]> errors)
    {
        if (channelIds is null || channelIds.Length == 0)
        {
            errors["channel_ids"] = ["Name at least one channel (UC…)."];
            return [];
        }

        var invalid = channelIds.Where(id => !ChannelId.IsValid(id)).Take(5).ToArray();
        if (invalid.Length > 0)
        {
            errors["channel_ids"] = [.. invalid.Select(id => $"'{id}' is not a channel id (UC and 22 characters).")];
        }

        return [.. channelIds.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The kinds' names (none, or <c>all</c>: every upload).</summary>
    public static List<string> Kinds(string[]? kinds, Dictionary<string, string[]> errors)
    {
        var parsed = new List<string>();
        foreach (var kind in kinds ?? [])
        {
            if (!VideoKinds.TryParse(kind, out var videoKind) || kind is null)
            {
                errors["kinds"] = [$"'{kind}' is not a kind: one of {string.Join(", ", VideoKinds.Names)}."];
            }
            else if (videoKind == VideoKind.All)
            {
                return [];
            }
            else if (!parsed.Contains(videoKind.Name()))
            {
                parsed.Add(videoKind.Name());
            }
        }

        return parsed;
    }

    /// <summary>The channels-per-subscription limit's refusal, or null within it.</summary>
    public static IResult? TooManyChannels(string[] channels, Data.Webhooks.NotificationOptions limits) =>
        channels.Length > limits.MaxChannelsPerSubscription
            ? Limit("Too many channels", $"A subscription names at most {limits.MaxChannelsPerSubscription} channels ({channels.Length} given).")
            : null;

    /// <summary>A limit's refusal: 422 with what the limit is.</summary>
    public static IResult Limit(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: title, detail: detail);
}
